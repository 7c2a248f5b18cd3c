// TOTP (RFC 6238): the time-based one-time codes of authenticator apps (docs/auth-flows.md,
// "TOTP"). Pure functions, no state, no clock: the caller passes the time step.
//
// Parameters Basalt uses (what every authenticator app defaults to): HMAC-SHA-1, 6 digits,
// 30-second steps counted from the Unix epoch, and a window of one step either side of the
// current one for clock skew. Secrets are 20 random bytes (RFC 4226's recommended length),
// shown to the user in base32 (RFC 4648, no padding).
//
// Thread safety: every function is pure and may run on any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::auth {

inline constexpr std::int64_t kTotpPeriodSeconds = 30;
inline constexpr int kTotpDigits = 6;
inline constexpr std::int64_t kTotpWindowSteps = 1;
inline constexpr std::size_t kTotpSecretBytes = 20;

// The step that `now` falls in: floor(unix seconds / 30).
std::int64_t totp_step(std::chrono::system_clock::time_point now) noexcept;

// The `digits`-digit code (zero-padded, 6..8) of `secret` for time step `step` (HOTP of RFC 4226
// with the step as the counter).
std::string totp_code(std::span<const std::uint8_t> secret, std::int64_t step, int digits);

// The step in [current - window, current + window] whose code `code` is, taking only steps
// after `last_used_step` (a step whose code was accepted once never is again), or nullopt. The
// comparison of each candidate is constant-time. `code` must be exactly kTotpDigits ASCII
// digits (anything else is nullopt).
std::optional<std::int64_t> match_totp(std::span<const std::uint8_t> secret, std::string_view code,
                                       std::int64_t current_step, std::int64_t last_used_step);

// RFC 4648 base32 (A-Z2-7), without padding.
std::string base32_encode(std::span<const std::uint8_t> bytes);
// Reads base32 ignoring case, spaces and trailing '='; nullopt for any other character.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

// otpauth://totp/<issuer>:<account>?secret=...&issuer=...&period=30&digits=6&algorithm=SHA1
// (Google Authenticator's key URI format), with issuer and account percent-encoded.
std::string totp_uri(std::string_view issuer, std::string_view account,
                     std::string_view base32_secret);

}  // namespace basalt::auth
