// DateTime: a UTC instant as PocketBase stores and shows it, "YYYY-MM-DD HH:MM:SS.mmmZ"
// (docs/storage.md, "Tables"), with the empty string for "no date".
//
// Held as microseconds since 0001-01-01T00:00:00Z, so the zero value is Go's zero time and means
// "empty", exactly as in PocketBase (a date equal to 0001-01-01 00:00:00 is indistinguishable
// from an empty one there too). Formatting truncates to milliseconds, as Go's layout does.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace basalt::schema {

class DateTime {
 public:
  constexpr DateTime() = default;

  // Parses the layouts clients send: "2024-01-02 15:04:05.123Z" (PocketBase's), RFC 3339
  // ("2024-01-02T15:04:05Z", "...+02:00", "...-0700"), date-time without a zone (UTC),
  // "HH:MM" without seconds, and a bare date "2024-01-02". Fractions up to 9 digits (kept to
  // the microsecond). Returns nullopt for anything else.
  static std::optional<DateTime> parse(std::string_view text);

  static DateTime from_time_point(std::chrono::system_clock::time_point time);

  bool is_zero() const noexcept { return micros_ == 0; }
  // "YYYY-MM-DD HH:MM:SS.mmmZ", or "" when zero.
  std::string to_string() const;
  // Go's time.Time.String() for UTC: "2024-01-02 15:04:05.123 +0000 UTC" (fraction trimmed).
  std::string to_go_string() const;
  // Go's RFC 3339 with nanoseconds, as a time.Time appears in JSON: "2024-01-02T15:04:05.123Z".
  std::string to_rfc3339() const;

  std::int64_t micros_since_year_one() const noexcept { return micros_; }

  friend constexpr auto operator<=>(const DateTime&, const DateTime&) = default;

 private:
  explicit constexpr DateTime(std::int64_t micros) : micros_(micros) {}

  std::int64_t micros_ = 0;
};

// PocketBase's datetime text for `time` ("2024-01-02 15:04:05.123Z").
std::string format_datetime(std::chrono::system_clock::time_point time);

}  // namespace basalt::schema
