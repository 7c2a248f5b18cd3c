// Handler: the unit of work behind a route. A coroutine on the connection's worker thread; it
// fills the Response or throws core::ApiError. Long CPU work must be moved off this thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>

#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::http {

using Handler = std::function<boost::asio::awaitable<void>(Request&, Response&)>;

}  // namespace basalt::http
