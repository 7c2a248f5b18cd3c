// PocketBase's cron expressions (tools/cron/schedule.go NewSchedule): a macro (@yearly,
// @annually, @monthly, @weekly, @daily, @midnight, @hourly) or exactly five single-space
// separated segments — minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-6 (0 = Sunday)
// — each a comma list of "*", "N", "A-B", "*/S" or "A-B/S".
// The parse gives the set of values of each segment as bits; when a schedule is due
// (jobs/cron_schedule.hpp) is decided elsewhere. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace basalt::settings {

// Bit i of a field set: value i is in that segment (days and months count from 1, so their bit
// 0 is never set).
struct CronFields {
  std::uint64_t minutes = 0;
  std::uint64_t hours = 0;
  std::uint64_t days = 0;
  std::uint64_t months = 0;
  std::uint64_t weekdays = 0;
};

// The fields of `expression`, or why it is invalid, worded as PocketBase words it (e.g.
// "invalid segment value - must be between the min and max of the segment").
std::variant<CronFields, std::string> parse_cron_expression(std::string_view expression);

// Why `expression` is not a valid schedule, or nullopt when valid.
std::optional<std::string> cron_expression_error(std::string_view expression);

}  // namespace basalt::settings
