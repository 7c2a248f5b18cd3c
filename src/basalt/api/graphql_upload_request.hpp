// A GraphQL multipart request (docs/graphql.md, "Uploads"; the GraphQL multipart request
// convention): a multipart/form-data POST to /api/graphql whose parts are, in this order of
// meaning,
//   operations  the JSON request object ({"query", "variables", "operationName"}) with null at
//               every place a file goes (one operation: a batched array is refused);
//   map         a JSON object from each file's part name to the one place it goes,
//               ["variables.<name>[.<key or index>…]"];
//   <files>     one file part per map key.
// Each mapped place (which must exist and be null) receives the marker of its file
// (graphql/request_uploads.hpp), and the file goes to the request's RequestUploads.
//
// Bounds: the body is the route's upload plan's (graphql_upload_plan: the batch settings' body
// limit, which also bounds each file before its field's maxSize applies); `operations` is a plain
// value (1 MiB at most); at most kMaxGraphqlFiles files and map entries, each path at most
// kMaxUploadPathSegments segments. Every malformed request is 400 with the message a client can
// act on; nothing has been written then (the files are temporary files, removed with it).
//
// Thread safety: pure functions of one request.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>

#include "basalt/api/services.hpp"
#include "basalt/graphql/request_uploads.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/upload_spool.hpp"

namespace basalt::api {

inline constexpr std::size_t kMaxGraphqlFiles = 100;
inline constexpr std::size_t kMaxUploadPathSegments = 16;

// The upload plan of POST /api/graphql: settings.batch's body limit (a GraphQL mutation is one
// batch), files spooled to disk as they arrive.
http::UploadPlan graphql_upload_plan(const Services& services);

// Reads the multipart body of `request` into `operation` (the request object with markers in
// place) and `uploads`; the message of the 400 when it is malformed.
std::optional<std::string> read_graphql_multipart(const Services& services,
                                                  const http::Request& request,
                                                  boost::json::object& operation,
                                                  graphql::RequestUploads& uploads);

}  // namespace basalt::api
