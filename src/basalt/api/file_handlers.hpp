// REST face of stored files (docs/files.md, "Serving"): GET (and HEAD)
// /api/files/{collection}/{recordId}/{filename} and POST /api/files/token. Thin: who may see
// the file is the record service's decision (RecordService::file_access), the bytes and
// thumbnails are the FileService's; this file reads the request and writes HTTP.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

// 200/206 with the file (or its thumbnail), 304, 412, 416; 404 for anything not found or not
// allowed.
boost::asio::awaitable<void> download_file(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response);

// {"token": "<file token>"} for the caller's auth record (the route requires one).
boost::asio::awaitable<void> file_token(const Services& services, const auth::AuthContext& auth,
                                        http::Request& request, http::Response& response);

}  // namespace basalt::api
