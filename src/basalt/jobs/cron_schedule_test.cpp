#include "basalt/jobs/cron_schedule.hpp"

#include <gtest/gtest.h>

#include <random>

namespace basalt::jobs {
namespace {

using std::chrono::minutes;
using std::chrono::sys_days;
using TimePoint = CronSchedule::TimePoint;

CronSchedule schedule_of(std::string_view expression) {
  auto parsed = CronSchedule::parse(expression);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    ADD_FAILURE() << expression << ": " << *error;
  }
  return std::get<CronSchedule>(parsed);
}

TimePoint utc(int y, unsigned mo, unsigned d, int h = 0, int mi = 0, int s = 0) {
  return sys_days(std::chrono::year(y) / mo / d) + std::chrono::hours(h) + minutes(mi) +
         std::chrono::seconds(s);
}

TEST(CronSchedule, NextAfterIsTheNextDueMinuteStrictlyLater) {
  const CronSchedule every_five = schedule_of("*/5 * * * *");
  EXPECT_EQ(every_five.next_after(utc(2026, 3, 1, 10, 0)), utc(2026, 3, 1, 10, 5));
  EXPECT_EQ(every_five.next_after(utc(2026, 3, 1, 10, 4, 59)), utc(2026, 3, 1, 10, 5));
  EXPECT_EQ(every_five.next_after(utc(2026, 3, 1, 23, 58)), utc(2026, 3, 2, 0, 0));
  const CronSchedule hourly = schedule_of("@hourly");
  EXPECT_EQ(hourly.next_after(utc(2026, 12, 31, 23, 0)), utc(2027, 1, 1, 0, 0));
  const CronSchedule yearly = schedule_of("@yearly");
  EXPECT_EQ(yearly.next_after(utc(2026, 1, 1, 0, 0)), utc(2027, 1, 1, 0, 0));
  EXPECT_EQ(schedule_of("@monthly").next_after(utc(2026, 1, 31, 12)), utc(2026, 2, 1));
  // 2026-12-06 is a Sunday: @weekly is Sunday midnight.
  EXPECT_EQ(schedule_of("@weekly").next_after(utc(2026, 12, 6, 0, 0)), utc(2026, 12, 13));
  EXPECT_EQ(schedule_of("30 21 * * *").next_after(utc(2026, 12, 6, 22)), utc(2026, 12, 7, 21, 30));
}

TEST(CronSchedule, DayOfMonthAndDayOfWeekAreAndedAsInPocketBase) {
  // Friday the 13th only (Vixie cron would fire on every 13th and every Friday).
  const CronSchedule friday_13 = schedule_of("0 0 13 * 5");
  EXPECT_EQ(friday_13.next_after(utc(2026, 1, 1)), utc(2026, 2, 13));
  EXPECT_EQ(friday_13.next_after(utc(2026, 2, 13)), utc(2026, 3, 13));
  EXPECT_EQ(friday_13.next_after(utc(2026, 3, 13)), utc(2026, 11, 13));
}

TEST(CronSchedule, LeapDaysAndImpossibleDates) {
  EXPECT_EQ(schedule_of("0 0 29 2 *").next_after(utc(2026, 1, 1)), utc(2028, 2, 29));
  EXPECT_EQ(schedule_of("0 0 30 2 *").next_after(utc(2026, 1, 1)), std::nullopt);
  EXPECT_EQ(schedule_of("0 0 31 4,6,9,11 *").next_after(utc(2026, 1, 1)), std::nullopt);
}

TEST(CronSchedule, InvalidExpressionsSayWhyInPocketBaseWords) {
  auto bad = CronSchedule::parse("61 * * * *");
  ASSERT_TRUE(std::holds_alternative<std::string>(bad));
  EXPECT_EQ(std::get<std::string>(bad),
            "invalid segment value - must be between the min and max of the segment");
  EXPECT_TRUE(std::holds_alternative<std::string>(CronSchedule::parse("* * * *")));
  EXPECT_TRUE(std::holds_alternative<std::string>(CronSchedule::parse("*  * * * *")));
  EXPECT_TRUE(std::holds_alternative<std::string>(CronSchedule::parse("5/2 * * * *")));
}

// A random valid segment of [low, high]: *, */s, a, a-b, a-b/s, or a list of those.
std::string random_segment(std::mt19937& random, int low, int high) {
  auto pick = [&](int a, int b) { return std::uniform_int_distribution<int>(a, b)(random); };
  std::string segment;
  const int parts = pick(1, 3);
  for (int i = 0; i < parts; ++i) {
    if (i > 0) segment += ',';
    const int a = pick(low, high);
    const int b = pick(a, high);
    switch (pick(0, 4)) {
      case 0:
        segment += "*";
        break;
      case 1:
        segment += "*/" + std::to_string(pick(1, high));
        break;
      case 2:
        segment += std::to_string(a);
        break;
      case 3:
        segment += std::to_string(a) + "-" + std::to_string(b);
        break;
      default:
        segment +=
            std::to_string(a) + "-" + std::to_string(b) + "/" + std::to_string(pick(1, high));
    }
  }
  return segment;
}

TEST(CronSchedule, PropertyNextAfterIsLaterMatchesAndSkipsNoDueMinute) {
  std::mt19937 random(20261206);
  int checked = 0;
  for (int round = 0; round < 400; ++round) {
    // Days, months and weekdays kept wide half of the time so most schedules fire often enough
    // to check every minute in between.
    const bool wide = round % 2 == 0;
    const std::string expression = random_segment(random, 0, 59) + " " +
                                   random_segment(random, 0, 23) + " " +
                                   (wide ? "*" : random_segment(random, 1, 31)) + " " +
                                   (wide ? "*" : random_segment(random, 1, 12)) + " " +
                                   (wide ? "*" : random_segment(random, 0, 6));
    const CronSchedule schedule = schedule_of(expression);
    const TimePoint t = utc(2026, 1, 1) + std::chrono::seconds(std::uniform_int_distribution<int>(
                                              0, 3 * 365 * 24 * 3600)(random));
    const auto next = schedule.next_after(t);
    if (!next) continue;  // an impossible date; checked above
    ASSERT_GT(*next, t) << expression;
    ASSERT_TRUE(schedule.matches(*next)) << expression;
    ASSERT_EQ(*next, std::chrono::floor<minutes>(*next)) << expression;
    // Every minute strictly between t and next does not match (bounded walk).
    if (*next - t > std::chrono::days(60)) continue;
    for (TimePoint at = std::chrono::floor<minutes>(t) + minutes(1); at < *next; at += minutes(1)) {
      ASSERT_FALSE(schedule.matches(at)) << expression << " skipped a due minute";
    }
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

}  // namespace
}  // namespace basalt::jobs
