#include "basalt/files/byte_range.hpp"

#include <gtest/gtest.h>

namespace basalt::files {
namespace {

RangeDecision partial(std::uint64_t offset, std::uint64_t length) {
  return {RangeOutcome::kPartial, {offset, length}};
}

void expect(std::string_view header, std::uint64_t size, RangeDecision want) {
  const RangeDecision got = decide_range(header, size);
  EXPECT_EQ(got.outcome, want.outcome) << header;
  if (want.outcome == RangeOutcome::kPartial) {
    EXPECT_EQ(got.range, want.range) << header;
  }
}

TEST(DecideRange, NoHeaderServesTheWholeObject) {
  expect("", 10, {RangeOutcome::kWhole, {}});
  expect("bytes=", 10, {RangeOutcome::kWhole, {}});
}

TEST(DecideRange, OneRangeIsPartial) {
  expect("bytes=0-0", 10, partial(0, 1));
  expect("bytes=2-5", 10, partial(2, 4));
  expect("bytes= 2 - 5 ", 10, partial(2, 4));
  expect("bytes=4-", 10, partial(4, 6));
  expect("bytes=4-100", 10, partial(4, 6));  // an end past the object is cut to it
  expect("bytes=-3", 10, partial(7, 3));     // the last 3 bytes
  expect("bytes=-30", 10, partial(0, 10));   // a suffix longer than the object: all of it
}

TEST(DecideRange, RangesPastTheEndAreUnsatisfiable) {
  expect("bytes=10-", 10, {RangeOutcome::kUnsatisfiable, {}});
  expect("bytes=10-20", 10, {RangeOutcome::kUnsatisfiable, {}});
  expect("bytes=-0", 10, {RangeOutcome::kUnsatisfiable, {}});
  expect("bytes=0-", 0, {RangeOutcome::kUnsatisfiable, {}});
  // One satisfiable range among them is served.
  expect("bytes=20-30, 2-3", 10, partial(2, 2));
}

TEST(DecideRange, MalformedHeadersAreUnsatisfiable) {
  for (std::string_view header : {"items=0-1", "bytes=abc", "bytes=5", "bytes=5-2", "bytes=--1",
                                  "bytes=1-x", "bytes=-", "bytes=99999999999999999999-"}) {
    expect(header, 10, {RangeOutcome::kUnsatisfiable, {}});
  }
}

TEST(DecideRange, SeveralRangesServeTheWholeObject) {
  expect("bytes=0-1,4-5", 10, {RangeOutcome::kWhole, {}});
  expect("bytes=0-9,0-9", 10, {RangeOutcome::kWhole, {}});
}

}  // namespace
}  // namespace basalt::files
