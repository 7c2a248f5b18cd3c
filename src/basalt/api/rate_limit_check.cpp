#include "basalt/api/rate_limit_check.hpp"

#include "basalt/metrics/thread_block.hpp"

#include <array>
#include <chrono>

#include "basalt/api/request_auth.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/settings/rate_limit_rules.hpp"

namespace basalt::api {
namespace {

using http::Method;

struct TaggedRoute {
  Method method;
  std::string_view pattern;
  std::array<std::string_view, 2> tags;
};

// PocketBase's tags per route (apis/record_auth.go, apis/record_crud.go, apis/file.go) plus
// Basalt's TOTP routes.
constexpr TaggedRoute kTaggedRoutes[] = {
    {Method::kGet, "/api/collections/{collection}/auth-methods", {"listAuthMethods", ""}},
    {Method::kPost, "/api/collections/{collection}/auth-refresh", {"authRefresh", ""}},
    {Method::kPost,
     "/api/collections/{collection}/auth-with-password",
     {"authWithPassword", "auth"}},
    {Method::kPost, "/api/collections/{collection}/totp/auth-with-totp", {"authWithTotp", "auth"}},
    {Method::kGet, "/api/collections/{collection}/totp", {"totpStatus", ""}},
    {Method::kPost, "/api/collections/{collection}/totp/enroll", {"totpEnroll", ""}},
    {Method::kPost, "/api/collections/{collection}/totp/confirm", {"totpConfirm", ""}},
    {Method::kPost, "/api/collections/{collection}/totp/disable", {"totpDisable", ""}},
    {Method::kGet, "/api/collections/{collection}/records", {"list", ""}},
    {Method::kGet, "/api/collections/{collection}/records/{id}", {"view", ""}},
    {Method::kPost, "/api/collections/{collection}/records", {"create", ""}},
    {Method::kPatch, "/api/collections/{collection}/records/{id}", {"update", ""}},
    {Method::kDelete, "/api/collections/{collection}/records/{id}", {"delete", ""}},
    {Method::kGet, "/api/files/{collection}/{recordId}/{filename}", {"file", ""}},
};

constexpr std::array<std::string_view, 2> kGuestAudiences{"", "@guest"};
constexpr std::array<std::string_view, 2> kAuthAudiences{"", "@auth"};

std::int64_t steady_seconds(const core::Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.steady_now().time_since_epoch())
      .count();
}

}  // namespace

std::vector<std::string> rate_limit_tags(Method method, std::string_view pattern) {
  for (const TaggedRoute& route : kTaggedRoutes) {
    if (route.method != method || route.pattern != pattern) continue;
    std::vector<std::string> tags;
    for (std::string_view tag : route.tags) {
      if (!tag.empty()) tags.emplace_back(tag);
    }
    return tags;
  }
  return {};
}

void check_rate_limit(const Services& services, const settings::RateLimitSettings& limits,
                      std::string_view pattern, std::span<const std::string> tags,
                      const auth::AuthContext& auth, const http::Request& request) {
  if (!limits.enabled || auth.is_superuser()) return;
  const std::string_view ip = client_ip(request);
  if (ip.empty() || settings::ip_in_list(ip, limits.excluded_ips)) return;

  std::vector<std::string> labels;
  std::string counter = "route\x1f";
  const schema::Collection* collection = nullptr;
  std::shared_ptr<const collections::Catalog> catalog;
  if (!tags.empty()) {
    catalog = services.collections.catalog();
    collection = catalog->find(request.param("collection"));
  }
  if (collection) {
    counter = collection->id + "\x1f" + std::string(pattern);
    for (const auto& tag : tags) {
      counter += "\x1f" + tag;
      labels.push_back(collection->name + ":" + tag);
    }
    for (const auto& tag : tags) labels.push_back("*:" + tag);
  }
  const std::string path(request.path());
  labels.push_back(std::string(request.method_text()) + " " + path);
  labels.push_back(path);

  const std::span<const std::string_view> audiences =
      auth.is_guest() ? std::span<const std::string_view>(kGuestAudiences)
                      : std::span<const std::string_view>(kAuthAudiences);
  const settings::RateLimitRule* rule =
      settings::find_rate_limit_rule(limits.rules, labels, audiences);
  if (!rule || rule->max_requests <= 0 || rule->duration <= 0) return;
  if (!collection) counter = "rule\x1f" + rule->label;
  // The rule's numbers are part of the key: a changed rule starts fresh windows.
  counter += "\x1f" + rule->audience + "\x1f" + std::to_string(rule->max_requests) + "/" +
             std::to_string(rule->duration) + "\x1f" + std::string(ip);
  if (!services.rate_limits.consume(counter, rule->max_requests, rule->duration,
                                    steady_seconds(services.clock))) {
    if (metrics::enabled())
      metrics::local().refusals[metrics::index(metrics::Refusal::kRateLimit)].add();
    throw core::ApiError(429);
  }
}

}  // namespace basalt::api
