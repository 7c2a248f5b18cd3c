// CronSchedule: a parsed PocketBase cron expression (settings/cron_expression.hpp) and the
// times it fires, in UTC as PocketBase's cron runs by default.
//
// When a minute is due follows PocketBase's tools/cron Schedule.IsDue: minute, hour, day of
// month, month AND day of week must all match (the day-of-month and day-of-week segments are
// ANDed, unlike Vixie cron, which ORs them when both are restricted): "0 0 13 * 5" fires only
// on a Friday the 13th.
//
// Immutable after parse; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "basalt/settings/cron_expression.hpp"

namespace basalt::jobs {

class CronSchedule {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  // The schedule of `expression`, or PocketBase's wording of why it is invalid.
  static std::variant<CronSchedule, std::string> parse(std::string_view expression);

  // Whether the minute holding `t` is due.
  bool matches(TimePoint t) const;

  // The first due minute (its start, seconds zero) strictly after `t`; nullopt when none comes
  // within 30 years (an impossible date such as "0 0 30 2 *", or February 29 on a weekday that
  // does not come round soon enough).
  std::optional<TimePoint> next_after(TimePoint t) const;

 private:
  explicit CronSchedule(settings::CronFields fields) : fields_(fields) {}

  settings::CronFields fields_;
};

}  // namespace basalt::jobs
