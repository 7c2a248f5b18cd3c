#include "basalt/schema/time_ordered_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "basalt/schema/collection.hpp"
#include "basalt/schema/field_options.hpp"

namespace basalt::schema {
namespace {

constexpr std::int64_t k2026 = 1'796'601'600'000;  // 2026-12-07T00:00:00Z in Unix milliseconds

std::string base36(std::uint64_t value, std::size_t digits) {
  std::string out;
  append_base36(out, value, digits);
  return out;
}

TEST(TimeOrderedIdTest, Base36IsZeroPaddedDigitsBeforeLetters) {
  EXPECT_EQ(base36(0, 4), "0000");
  EXPECT_EQ(base36(35, 2), "0z");
  EXPECT_EQ(base36(36, 2), "10");
  EXPECT_EQ(base36(36 * 36, 2), "00");     // higher digits are dropped
  EXPECT_LT(base36(9, 1), base36(10, 1));  // '9' < 'a': byte order is numeric order
}

TEST(TimeOrderedIdTest, IdsHaveTheDefaultShape) {
  TimeOrderedIds ids;
  for (int i = 0; i < 200; ++i) {
    const std::string id = ids.next(k2026 + i);
    EXPECT_EQ(id.size(), kDefaultIdLength);
    EXPECT_EQ(id.find_first_not_of(kDefaultIdAlphabet), std::string::npos) << id;
  }
}

TEST(TimeOrderedIdTest, IdsSortByTheirMillisecond) {
  TimeOrderedIds ids;
  std::string previous;
  for (std::int64_t ms = k2026; ms < k2026 + 5000; ms += 7) {
    const std::string id = ids.next(ms);
    EXPECT_LT(previous.substr(0, 8), id.substr(0, 8));
    previous = id;
  }
  // The prefix is the millisecond since 2020-01-01 (1,764,764,800,000 ms before k2026 + 0).
  EXPECT_EQ(TimeOrderedIds().next(k2026).substr(0, 8), base36(k2026 - 1'577'836'800'000, 8));
}

TEST(TimeOrderedIdTest, OneMillisecondGivesDistinctIdsThenBorrowsTheNext) {
  TimeOrderedIds ids;
  std::set<std::string> seen;
  const std::size_t count = kIdsPerMillisecond * 3 + 5;
  for (std::size_t i = 0; i < count; ++i) seen.insert(ids.next(k2026));
  EXPECT_EQ(seen.size(), count);
  std::set<std::string> prefixes;
  for (const std::string& id : seen) prefixes.insert(id.substr(0, 8));
  // kIdsPerMillisecond in each of k2026 .. k2026 + 2, the last five in k2026 + 3.
  EXPECT_EQ(prefixes.size(), 4u);
}

TEST(TimeOrderedIdTest, AClockSetBackDoesNotTakeIdsBack) {
  TimeOrderedIds ids;
  const std::string late = ids.next(k2026 + 60'000);
  const std::string early = ids.next(k2026);
  EXPECT_EQ(early.substr(0, 8), late.substr(0, 8));
  EXPECT_NE(early, late);
}

TEST(TimeOrderedIdTest, SuffixesUseTheWholeAlphabet) {
  TimeOrderedIds ids;
  std::set<char> used;
  for (int i = 0; i < 500; ++i) {
    for (char c : ids.next(k2026).substr(8)) used.insert(c);
  }
  EXPECT_EQ(used.size(), kDefaultIdAlphabet.size());
}

TEST(TimeOrderedIdTest, OnlyTheDefaultPrimaryKeyPatternIsTimeOrdered) {
  TextOptions id_field;
  id_field.primary_key = true;
  id_field.autogenerate = GeneratorPattern(std::string(kDefaultIdAutogenerate));
  const std::string now = "2026-12-07 00:00:00.000Z";
  // The process's sequence: its millisecond is `now`'s, or a later one other tests used.
  const std::string first = autogenerate_text(id_field, now);
  const std::string second = autogenerate_text(id_field, now);
  EXPECT_EQ(first.substr(0, 8), second.substr(0, 8));
  EXPECT_GE(first.substr(0, 8), base36(k2026 - 1'577'836'800'000, 8));
  EXPECT_NE(first, second);
  TextOptions custom = id_field;
  custom.autogenerate = GeneratorPattern("[0-9a-z]{15}");
  TextOptions not_key = id_field;
  not_key.primary_key = false;
  // Random values of the pattern: ids of one instant do not share an 8-character prefix.
  std::set<std::string> prefixes;
  for (int i = 0; i < 20; ++i) {
    prefixes.insert(autogenerate_text(custom, now).substr(0, 8));
    prefixes.insert(autogenerate_text(not_key, now).substr(0, 8));
  }
  EXPECT_GT(prefixes.size(), 30u);
}

}  // namespace
}  // namespace basalt::schema
