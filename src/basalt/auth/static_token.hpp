// Static (non-refreshable) auth tokens: what impersonation issues (docs/auth-flows.md,
// "Impersonate"; PocketBase's NewStaticAuthToken). auth-refresh answers such a token with the
// same token instead of a new one.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <string>

#include "basalt/schema/collection.hpp"

namespace basalt::auth {

// The longest impersonation Basalt issues (100 years): keeps exp far from overflow.
inline constexpr std::int64_t kMaxStaticTokenSeconds = 100LL * 365 * 24 * 3600;

// An auth token for `record` with refreshable false, valid for `duration` seconds, or for the
// collection's authToken.duration when `duration` is 0. Throws std::invalid_argument for a
// negative duration or one past kMaxStaticTokenSeconds.
std::string issue_static_auth_token(const schema::Collection& collection,
                                    const boost::json::object& record,
                                    std::chrono::system_clock::time_point now,
                                    std::int64_t duration);

}  // namespace basalt::auth
