// Which settings.rateLimits rule applies to a request (docs/auth-flows.md, "Rate limits"), as
// PocketBase's RateLimitsConfig.FindRateLimitRule chooses it. Pure; thread-safe.
//
// `labels` are the request's labels, most specific first: for a route of a collection
// "<collection>:<tag>" for each of its tags, then "*:<tag>" for each, then "<METHOD> <path>"
// and "<path>"; for any other route only the last two. For each label in turn, a rule whose
// label equals it wins; failing that, a prefix rule (a label ending in '/', such as "/api/" or
// "POST /api/") that "<label>/" starts with. Only rules whose audience is in `audiences` count
// ("" and "@guest" for a guest, "" and "@auth" for an authenticated caller).
#pragma once

#include <span>
#include <string>

#include "basalt/settings/app_settings.hpp"

namespace basalt::settings {

const RateLimitRule* find_rate_limit_rule(std::span<const RateLimitRule> rules,
                                          std::span<const std::string> labels,
                                          std::span<const std::string_view> audiences);

// Whether `ip` is one of `entries` (addresses, or CIDR subnets such as "10.0.0.0/8").
bool ip_in_list(std::string_view ip, std::span<const std::string> entries);

}  // namespace basalt::settings
