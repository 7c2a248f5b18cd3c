// The routes of the admin dashboard (docs/dashboard.md, "Serving"): `/_/` and everything under
// it, answered from the DashboardFiles read at startup.
//  - GET /_       -> 301 to /_/
//  - GET /_/assets/<name>: the hashed build output; `Cache-Control: public, max-age=31536000,
//    immutable`; a name not in the build is a 404 in the API's error format.
//  - GET /_/<file> for a top-level file of the build (favicon.svg), `no-cache`.
//  - GET /_/ and any other path under /_/ (up to four segments): index.html, `no-cache` (the
//    app routes with the URL fragment, so a deep link still loads it).
// HEAD is answered by the GET routes (router.hpp). No route reads the request's token: the files
// are public, what they show comes from the API under the caller's own rights.
#pragma once

#include <filesystem>
#include <vector>

#include "basalt/http/router.hpp"

namespace basalt::api {

// Reads `dir` now (on the calling thread, at startup); the handlers share the files.
std::vector<http::Route> dashboard_routes(const std::filesystem::path& dir);

}  // namespace basalt::api
