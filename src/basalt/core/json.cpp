// Boost.JSON and Boost.URL are used header-only: their implementation is compiled exactly once,
// here, for the whole binary.
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
