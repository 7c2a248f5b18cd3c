// The parsed message behind a Request. Only the connection and request.cpp include this: it
// pulls in Beast's HTTP message headers.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>

#include "basalt/http/upload_spool.hpp"

namespace basalt::http {

struct RequestMessage {
  boost::beast::http::request<boost::beast::http::string_body> message;
  // A multipart body of a route with an UploadPlan: parsed while it arrived, files on disk;
  // `message` then has an empty body. Owned by the message: its temporary files go with it
  // unless a handler took them.
  std::unique_ptr<UploadSpool> upload_spool;
};

}  // namespace basalt::http
