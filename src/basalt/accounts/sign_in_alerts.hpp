// Sign-in alerts (docs/auth-flows.md, "Sign-in alerts"): PocketBase's authAlert. After a
// sign-in completes (every method, past MFA; never impersonation or auth-refresh) the device it
// came from - the client address and User-Agent, as an MD5 fingerprint - is recorded in
// `_authOrigins` through the record service; when the record had signed in before but never
// from that device, and has an email, the collection's authAlert mail goes to it through the
// outbox, after the row committed.
#pragma once

#include <string>
#include <string_view>

namespace basalt::accounts {

// PocketBase's cap on the User-Agent a fingerprint and an alert take.
inline constexpr std::size_t kAlertUserAgentMax = 200;

// The User-Agent as the alert uses it: its first 200 bytes and "..." when longer.
std::string alert_user_agent(std::string_view user_agent);

// The device's fingerprint: MD5 (lower-case hex) of the address followed by the User-Agent
// (already cut by alert_user_agent), as PocketBase stores it.
std::string origin_fingerprint(std::string_view ip, std::string_view user_agent);

// {ALERT_INFO}: "<when> - <ip> <user agent>", `when` a PocketBase datetime (UTC).
std::string alert_info(std::string_view when, std::string_view ip, std::string_view user_agent);

}  // namespace basalt::accounts
