#include "basalt/api/dashboard_routes.hpp"

#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "basalt/api/dashboard_files.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/http/gzip.hpp"

namespace basalt::api {
namespace {

constexpr std::string_view kDashboardImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kDashboardRevalidate = "no-cache";
// The dashboard loads only its own files and talks only to this origin's API.
constexpr std::string_view kDashboardPolicy =
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

// The gzipped copy when there is one and the client takes gzip, else the plain bytes.
void send_dashboard_file(const http::Request& request, http::Response& response,
                         const DashboardFile& file, std::string_view cache) {
  const auto accept = request.header("Accept-Encoding");
  const bool gzip = !file.gzipped.empty() && accept && http::accepts_gzip(*accept);
  response.content(200, file.content_type, gzip ? file.gzipped : file.bytes);
  if (gzip) response.add_header("Content-Encoding", "gzip");
  if (!file.gzipped.empty()) response.add_header("Vary", "Accept-Encoding");
  response.add_header("Cache-Control", cache);
  response.add_header("X-Content-Type-Options", "nosniff");
}

void send_dashboard_index(const DashboardFiles& files, const http::Request& request,
                          http::Response& response) {
  if (!files.available()) {
    throw core::ApiError(404,
                         "The dashboard is not built. Run `make ui` or set the ui-dir setting.");
  }
  send_dashboard_file(request, response, *files.index(), kDashboardRevalidate);
  response.add_header("Content-Security-Policy", kDashboardPolicy);
  response.add_header("Referrer-Policy", "same-origin");
}

}  // namespace

std::vector<http::Route> dashboard_routes(const std::filesystem::path& dir) {
  auto files = std::make_shared<const DashboardFiles>(dir);
  if (files->available()) {
    spdlog::info("dashboard: {} files from {}", files->size(), files->dir().string());
  }

  http::Handler index = [files](http::Request& request,
                                http::Response& response) -> boost::asio::awaitable<void> {
    send_dashboard_index(*files, request, response);
    co_return;
  };
  // A top-level file of the build when the segment names one, else the app (a deep link).
  http::Handler top_level = [files](http::Request& request,
                                    http::Response& response) -> boost::asio::awaitable<void> {
    const std::string_view name = request.param("p1");
    const DashboardFile* file = name == "index.html" ? nullptr : files->find(name);
    if (file) {
      send_dashboard_file(request, response, *file, kDashboardRevalidate);
    } else {
      send_dashboard_index(*files, request, response);
    }
    co_return;
  };
  http::Handler asset = [files](http::Request& request,
                                http::Response& response) -> boost::asio::awaitable<void> {
    // The key is "assets/" + one decoded segment: a name holding '/' (from %2F) or ".." is
    // simply not a key of the map.
    const std::string key = "assets/" + std::string(request.param("p2"));
    const DashboardFile* file = files->find(key);
    if (!file) throw core::ApiError(404, "The requested resource wasn't found.");
    send_dashboard_file(request, response, *file, kDashboardImmutable);
    co_return;
  };
  http::Handler redirect = [](http::Request&,
                              http::Response& response) -> boost::asio::awaitable<void> {
    response.content(301, {}, {});
    response.add_header("Location", "/_/");
    co_return;
  };

  using http::Method;
  return {
      {Method::kGet, "/_", redirect},
      {Method::kGet, "/_/", index},
      {Method::kGet, "/_/assets/{p2}", asset},
      {Method::kGet, "/_/{p1}", top_level},
      {Method::kGet, "/_/{p1}/{p2}", index},
      {Method::kGet, "/_/{p1}/{p2}/{p3}", index},
      {Method::kGet, "/_/{p1}/{p2}/{p3}/{p4}", index},
  };
}

}  // namespace basalt::api
