// The check PocketBase applies to backups.cron (tools/cron/schedule.go NewSchedule): a macro
// (@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly) or exactly five
// single-space separated segments — minute 0-59, hour 0-23, day 1-31, month 1-12, weekday
// 0-6 — each a comma list of "*", "N", "A-B", "*/S" or "A-B/S".
// Only validation lives here; Basalt schedules no backups yet. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace basalt::settings {

// Why `expression` is not a valid schedule, worded as PocketBase words it (e.g. "invalid
// segment value - must be between the min and max of the segment"), or nullopt when valid.
std::optional<std::string> cron_expression_error(std::string_view expression);

}  // namespace basalt::settings
