// The parsed message behind a Request. Only the connection and request.cpp include this: it
// pulls in Beast's HTTP message headers.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace basalt::http {

struct RequestMessage {
  boost::beast::http::request<boost::beast::http::string_body> message;
};

}  // namespace basalt::http
