#include "basalt/api/routes.hpp"

#include "basalt/api/account_handlers.hpp"
#include "basalt/api/auth_handlers.hpp"
#include "basalt/api/backup_handlers.hpp"
#include "basalt/api/batch_handler.hpp"
#include "basalt/api/collection_handlers.hpp"
#include "basalt/api/cron_handlers.hpp"
#include "basalt/api/file_handlers.hpp"
#include "basalt/api/graphql_handler.hpp"
#include "basalt/api/graphql_sse_stream.hpp"
#include "basalt/api/graphql_upload_request.hpp"
#include "basalt/api/health.hpp"
#include "basalt/api/impersonate_handler.hpp"
#include "basalt/api/log_handlers.hpp"
#include "basalt/api/oauth2_handlers.hpp"
#include "basalt/api/rate_limit_check.hpp"
#include "basalt/api/realtime_handlers.hpp"
#include "basalt/api/record_handlers.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/settings_handlers.hpp"
#include "basalt/api/totp_handlers.hpp"
#include "basalt/api/uploads.hpp"
#include "basalt/api/webhook_handlers.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/settings/rate_limit_rules.hpp"

#include <memory>
#include <optional>
#include <stdexcept>

namespace basalt::api {
namespace {

using http::Method;

using records::WriteKind;

// Every API route with the access it requires. The wrapper below enforces the access, so
// a handler never checks who is calling (docs/architecture.md). A route with a `batch` kind
// is also a sub-request POST /api/batch accepts, run as that write; one without a handler is
// served only there (PocketBase's batch upsert has no top-level route).
struct ApiRoute {
  Method method;
  std::string path;
  Access access;
  ApiHandler handler;
  std::optional<WriteKind> batch = std::nullopt;
};

// The routes whose multipart bodies may carry files, spooled to disk as they arrive
// (docs/files.md, "Uploads"), with the body limit PocketBase gives them.
http::UploadPlanner upload_planner(const Services& services, const ApiRoute& route) {
  if (route.path == "/api/batch") {
    return [&services](const http::RouteParams&) { return batch_upload_plan(services); };
  }
  if (route.path == "/api/graphql" && route.method == Method::kPost) {
    return [&services](const http::RouteParams&) -> std::optional<http::UploadPlan> {
      return graphql_upload_plan(services);
    };
  }
  if (route.path == "/api/backups/upload") {
    return [&services](const http::RouteParams&) { return backup_upload_plan(services); };
  }
  const bool record_write = route.batch == WriteKind::kCreate || route.batch == WriteKind::kUpdate;
  if (!record_write || !route.handler) return nullptr;
  return
      [&services](const http::RouteParams& params) { return record_upload_plan(services, params); };
}

std::vector<ApiRoute> api_routes() {
  return {
      {Method::kGet, "/api/collections", Access::kSuperuser, list_collections},
      {Method::kPost, "/api/collections", Access::kSuperuser, create_collection},
      {Method::kPut, "/api/collections/import", Access::kSuperuser, import_collections},
      {Method::kGet, "/api/collections/meta/scaffolds", Access::kSuperuser, collection_scaffolds},
      {Method::kGet, "/api/collections/{collection}", Access::kSuperuser, view_collection},
      {Method::kPatch, "/api/collections/{collection}", Access::kSuperuser, update_collection},
      {Method::kDelete, "/api/collections/{collection}", Access::kSuperuser, delete_collection},
      {Method::kPost, "/api/collections/{collection}/auth-with-password", Access::kAny,
       auth_with_password},
      {Method::kPost, "/api/collections/{collection}/auth-refresh", Access::kAuthRecord,
       auth_refresh},
      {Method::kGet, "/api/collections/{collection}/auth-methods", Access::kAny, auth_methods},
      // The mail-driven flows (docs/auth-flows.md).
      {Method::kPost, "/api/collections/{collection}/request-verification", Access::kAny,
       request_verification},
      {Method::kPost, "/api/collections/{collection}/confirm-verification", Access::kAny,
       confirm_verification},
      {Method::kPost, "/api/collections/{collection}/request-password-reset", Access::kAny,
       request_password_reset},
      {Method::kPost, "/api/collections/{collection}/confirm-password-reset", Access::kAny,
       confirm_password_reset},
      {Method::kPost, "/api/collections/{collection}/request-email-change", Access::kAuthRecord,
       request_email_change},
      {Method::kPost, "/api/collections/{collection}/confirm-email-change", Access::kAny,
       confirm_email_change},
      {Method::kPost, "/api/collections/{collection}/request-otp", Access::kAny, request_otp},
      {Method::kPost, "/api/collections/{collection}/auth-with-otp", Access::kAny, auth_with_otp},
      {Method::kPost, "/api/collections/{collection}/auth-with-oauth2", Access::kAny,
       auth_with_oauth2},
      {Method::kGet, "/api/oauth2-redirect", Access::kAny, oauth2_redirect},
      {Method::kPost, "/api/oauth2-redirect", Access::kAny, oauth2_redirect},
      {Method::kPost, "/api/collections/{collection}/impersonate/{id}", Access::kSuperuser,
       impersonate},
      // Basalt's TOTP extension (totp_handlers.hpp).
      {Method::kGet, "/api/collections/{collection}/totp", Access::kAuthRecord, totp_status},
      {Method::kPost, "/api/collections/{collection}/totp/enroll", Access::kAuthRecord,
       totp_enroll},
      {Method::kPost, "/api/collections/{collection}/totp/confirm", Access::kAuthRecord,
       totp_confirm},
      {Method::kPost, "/api/collections/{collection}/totp/disable", Access::kAuthRecord,
       totp_disable},
      {Method::kPost, "/api/collections/{collection}/totp/auth-with-totp", Access::kAny,
       auth_with_totp},
      {Method::kDelete, "/api/collections/{collection}/truncate", Access::kSuperuser,
       truncate_collection},
      {Method::kGet, "/api/collections/{collection}/records", Access::kAny, list_records},
      {Method::kPost, "/api/collections/{collection}/records", Access::kAny, create_record,
       WriteKind::kCreate},
      {Method::kPut, "/api/collections/{collection}/records", Access::kAny, nullptr,
       WriteKind::kUpsert},
      {Method::kGet, "/api/collections/{collection}/records/{id}", Access::kAny, view_record},
      {Method::kPatch, "/api/collections/{collection}/records/{id}", Access::kAny, update_record,
       WriteKind::kUpdate},
      {Method::kDelete, "/api/collections/{collection}/records/{id}", Access::kAny, delete_record,
       WriteKind::kDelete},
      {Method::kPost, "/api/batch", Access::kAny, batch_records},
      // GraphQL over HTTP (docs/graphql.md): rules decide in the services, as for records.
      {Method::kPost, "/api/graphql", Access::kAny, graphql_post},
      {Method::kGet, "/api/graphql", Access::kAny, graphql_get},
      // graphql-sse, distinct connections (graphql_sse_stream.hpp).
      {Method::kGet, "/api/graphql/stream", Access::kAny, graphql_stream},
      {Method::kPost, "/api/graphql/stream", Access::kAny, graphql_stream},
      {Method::kGet, "/api/realtime", Access::kAny, connect_realtime},
      {Method::kPost, "/api/realtime", Access::kAny, set_realtime_subscriptions},
      {Method::kPost, "/api/files/token", Access::kAnyAuthRecord, file_token},
      {Method::kGet, "/api/files/{collection}/{recordId}/{filename}", Access::kAny, download_file},
      {Method::kGet, "/api/settings", Access::kSuperuser, get_settings},
      {Method::kPatch, "/api/settings", Access::kSuperuser, patch_settings},
      {Method::kPost, "/api/settings/test/s3", Access::kSuperuser, test_s3_settings},
      {Method::kPost, "/api/settings/test/email", Access::kSuperuser, test_email},
      {Method::kPost, "/api/settings/apple/generate-client-secret", Access::kSuperuser,
       generate_apple_client_secret},
      {Method::kGet, "/api/backups", Access::kSuperuser, list_backups},
      {Method::kPost, "/api/backups", Access::kSuperuser, create_backup},
      {Method::kPost, "/api/backups/upload", Access::kSuperuser, upload_backup},
      // Opened by a superuser's file token in ?token= (checked by the handler's service call).
      {Method::kGet, "/api/backups/{key}", Access::kAny, download_backup},
      {Method::kDelete, "/api/backups/{key}", Access::kSuperuser, delete_backup},
      {Method::kPost, "/api/backups/{key}/restore", Access::kSuperuser, restore_backup},
      {Method::kGet, "/api/logs", Access::kSuperuser, list_logs},
      {Method::kDelete, "/api/logs", Access::kSuperuser, truncate_logs},
      {Method::kGet, "/api/logs/stats", Access::kSuperuser, log_stats},
      {Method::kGet, "/api/logs/{id}", Access::kSuperuser, view_log},
      {Method::kGet, "/api/webhooks", Access::kSuperuser, list_webhooks},
      {Method::kPost, "/api/webhooks", Access::kSuperuser, create_webhook},
      {Method::kGet, "/api/webhooks/{id}", Access::kSuperuser, view_webhook},
      {Method::kPatch, "/api/webhooks/{id}", Access::kSuperuser, update_webhook},
      {Method::kDelete, "/api/webhooks/{id}", Access::kSuperuser, delete_webhook},
      {Method::kGet, "/api/webhooks/{id}/deliveries", Access::kSuperuser, list_webhook_deliveries},
      {Method::kPost, "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver", Access::kSuperuser,
       redeliver_webhook_delivery},
      // The same handlers for the broker connectors, one path per type (docs/brokers.md).
      {Method::kGet, "/api/brokers/{type}", Access::kSuperuser, list_webhooks},
      {Method::kPost, "/api/brokers/{type}", Access::kSuperuser, create_webhook},
      {Method::kGet, "/api/brokers/{type}/{id}", Access::kSuperuser, view_webhook},
      {Method::kPatch, "/api/brokers/{type}/{id}", Access::kSuperuser, update_webhook},
      {Method::kDelete, "/api/brokers/{type}/{id}", Access::kSuperuser, delete_webhook},
      {Method::kGet, "/api/brokers/{type}/{id}/deliveries", Access::kSuperuser,
       list_webhook_deliveries},
      {Method::kPost, "/api/brokers/{type}/{id}/deliveries/{deliveryId}/redeliver",
       Access::kSuperuser, redeliver_webhook_delivery},
      {Method::kGet, "/api/crons", Access::kSuperuser, list_crons},
      {Method::kPost, "/api/crons/{id}", Access::kSuperuser, run_cron},
      {Method::kGet, "/api/jobs", Access::kSuperuser, list_jobs},
  };
}

// What the wrapper needs of a route besides its handler.
struct RouteGuard {
  Access access;
  std::string pattern;                 // the route's path pattern (rate-limit counters)
  std::vector<std::string> rate_tags;  // rate_limit_tags() of the route
};

// settings.superuserIPs (docs/settings.md): a superuser's request from any other address is
// refused, whatever the route, with PocketBase's default 403 text.
void check_superuser_ip(const settings::AppSettings& settings, const auth::AuthContext& auth,
                        const http::Request& request) {
  if (!auth.is_superuser() || settings.superuser_ips.empty()) return;
  if (settings::ip_in_list(client_ip(request), settings.superuser_ips)) return;
  throw core::ApiError::forbidden("You are not allowed to perform this request.");
}

// Who called, for the request logs (http/request_observer.hpp): noted before any check can
// refuse the request, so a refused caller is logged too.
void note_caller(const auth::AuthContext& auth, http::Request& request) {
  if (auth.is_guest()) return;
  request.note().auth_collection = auth.collection->name;
  request.note().auth_id = std::string(auth.record_id());
}

// Runs guard_request's checks, then the handler.
template <typename Handler>
boost::asio::awaitable<void> run_guarded(const Services& services, const RouteGuard& guard,
                                         const Handler& handler, http::Request& request,
                                         http::Response& response) {
  const auth::AuthContext auth =
      co_await guard_request(services, guard.access, guard.pattern, guard.rate_tags, request);
  co_await handler(services, auth, request, response);
}

}  // namespace

boost::asio::awaitable<auth::AuthContext> guard_request(const Services& services, Access access,
                                                        std::string_view pattern,
                                                        const std::vector<std::string>& rate_tags,
                                                        http::Request& request) {
  // One settings snapshot for every check of this request. The client address is resolved
  // first (settings.trustedProxy), and the rate limits come after the token is read, as their
  // audience depends on it.
  const std::shared_ptr<const settings::AppSettings> settings = services.settings.current();
  request.set_client_ip(resolve_client_ip(settings->trusted_proxy, request));
  auth::AuthContext auth = co_await request_auth(services, request);
  note_caller(auth, request);
  check_superuser_ip(*settings, auth, request);
  check_rate_limit(services, settings->rate_limits, pattern, rate_tags, auth, request);
  require_access(access, auth, request);
  co_return auth;
}

std::vector<http::Route> routes(const Services& services) {
  // Health touches neither the database nor the caller's token (health.hpp).
  std::vector<http::Route> out{{Method::kGet, "/api/health", health}};
  for (ApiRoute& route : api_routes()) {
    if (!route.handler) continue;  // batch-only
    http::UploadPlanner uploads = upload_planner(services, route);
    auto guard = std::make_shared<const RouteGuard>(
        RouteGuard{route.access, route.path, rate_limit_tags(route.method, route.path)});
    out.push_back({route.method, std::move(route.path),
                   [&services, guard, handler = route.handler](http::Request& request,
                                                               http::Response& response) {
                     return run_guarded(services, *guard, handler, request, response);
                   },
                   std::move(uploads)});
  }
  return out;
}

http::Route guarded_route(const Services& services, http::Method method, std::string path,
                          Access access, GuardedHandler handler) {
  auto guard =
      std::make_shared<const RouteGuard>(RouteGuard{access, path, rate_limit_tags(method, path)});
  auto shared = std::make_shared<const GuardedHandler>(std::move(handler));
  return {method, std::move(path),
          [&services, guard, shared](http::Request& request, http::Response& response) {
            return run_guarded(services, *guard, *shared, request, response);
          }};
}

const BatchRoutes& batch_routes() {
  static const BatchRoutes routes = [] {
    std::vector<BatchRoute> out;
    for (ApiRoute& route : api_routes()) {
      if (!route.batch) continue;
      // A sub-request runs with the batch caller's auth and only the services' rules.
      if (route.access != Access::kAny) {
        throw std::logic_error("a batchable route must be open to any caller: " + route.path);
      }
      out.push_back({route.method, std::move(route.path), *route.batch});
    }
    return BatchRoutes(std::move(out));
  }();
  return routes;
}

}  // namespace basalt::api
