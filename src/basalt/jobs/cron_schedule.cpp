#include "basalt/jobs/cron_schedule.hpp"

#include <cstdint>

namespace basalt::jobs {
namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;

bool has(std::uint64_t set, unsigned value) {
  return value < 64 && ((set >> value) & 1U) != 0;
}

}  // namespace

std::variant<CronSchedule, std::string> CronSchedule::parse(std::string_view expression) {
  auto parsed = settings::parse_cron_expression(expression);
  if (auto* error = std::get_if<std::string>(&parsed)) return std::move(*error);
  return CronSchedule(std::get<settings::CronFields>(parsed));
}

bool CronSchedule::matches(TimePoint t) const {
  const sys_days day = floor<days>(t);
  const std::chrono::year_month_day date(day);
  const auto in_day = floor<minutes>(t) - day;
  const auto hour = static_cast<unsigned>(floor<hours>(in_day).count());
  const auto minute = static_cast<unsigned>((in_day - floor<hours>(in_day)).count());
  return has(fields_.minutes, minute) && has(fields_.hours, hour) &&
         has(fields_.days, static_cast<unsigned>(date.day())) &&
         has(fields_.months, static_cast<unsigned>(date.month())) &&
         has(fields_.weekdays, std::chrono::weekday(day).c_encoding());
}

std::optional<CronSchedule::TimePoint> CronSchedule::next_after(TimePoint t) const {
  // Walk forward from the next whole minute, skipping a whole month, day or hour at once when
  // that coarser field cannot match: at most ~360 months, ~11,000 days and 24 hours and 60
  // minutes per matching day are visited.
  const TimePoint limit = t + days(366 * 30);
  TimePoint at = floor<minutes>(t) + minutes(1);
  while (at <= limit) {
    const sys_days day = floor<days>(at);
    const std::chrono::year_month_day date(day);
    if (!has(fields_.months, static_cast<unsigned>(date.month()))) {
      const std::chrono::year_month next = date.year() / date.month() + std::chrono::months(1);
      at = sys_days(next / std::chrono::day(1));
      continue;
    }
    if (!has(fields_.days, static_cast<unsigned>(date.day())) ||
        !has(fields_.weekdays, std::chrono::weekday(day).c_encoding())) {
      at = day + days(1);
      continue;
    }
    const auto in_day = floor<minutes>(at) - day;
    const auto hour = floor<hours>(in_day);
    if (!has(fields_.hours, static_cast<unsigned>(hour.count()))) {
      at = day + hour + hours(1);
      continue;
    }
    const auto minute = static_cast<unsigned>((in_day - hour).count());
    if (!has(fields_.minutes, minute)) {
      at += minutes(1);
      continue;
    }
    return at;
  }
  return std::nullopt;
}

}  // namespace basalt::jobs
