// JSON text for people: two-space indentation, one member or element per line. Key order and
// number formatting are Boost.JSON's. For CLI output and files, never for API responses.
#pragma once

#include <boost/json/value.hpp>
#include <string>

namespace basalt::core {

std::string json_pretty(const boost::json::value& value);

}  // namespace basalt::core
