// settings.rateLimits on the REST routes (docs/auth-flows.md, "Rate limits"), as PocketBase
// applies them: when enabled, each request of a non-superuser from an address not in
// excludedIPs is counted under the most specific matching rule (settings/rate_limit_rules.hpp)
// per client address, and refused with 429 "Too Many Requests." past the rule's maxRequests
// per duration. Counters live in auth::RequestCounters (sharded, bounded).
//
// A route of a collection counts per (collection, route, audience): "*:auth" with 2 per 3 s
// gives each client 2 password sign-ins AND 2 TOTP sign-ins per 3 s per collection, as in
// PocketBase. Any other route counts per (rule, audience).
//
// This is the per-address request rate. Failed password guesses are counted separately, per
// address and per (address, identity), by auth::SignInThrottle; failed TOTP codes per record
// by auth::TotpService - one mechanism per concern.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/method.hpp"
#include "basalt/http/request.hpp"
#include "basalt/settings/app_settings.hpp"

namespace basalt::api {

// The tags of a collection route (PocketBase's collectionPathRateLimit tags), e.g.
// {"authWithPassword", "auth"} for POST .../auth-with-password, {"create"} for a record
// create; empty for a route that is not a collection route.
std::vector<std::string> rate_limit_tags(http::Method method, std::string_view pattern);

// Throws core::ApiError 429 when the request is over its rule's limit. `pattern` is the
// route's path pattern; `tags` its rate_limit_tags(); `limits` the request's settings snapshot.
void check_rate_limit(const Services& services, const settings::RateLimitSettings& limits,
                      std::string_view pattern, std::span<const std::string> tags,
                      const auth::AuthContext& auth, const http::Request& request);

}  // namespace basalt::api
