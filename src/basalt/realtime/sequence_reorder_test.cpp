#include "basalt/realtime/sequence_reorder.hpp"

#include <gtest/gtest.h>

#include <memory>

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace basalt::realtime {
namespace {

struct Collected {
  std::vector<int> items;
  auto sink() {
    return [this](int item) { items.push_back(item); };
  }
};

TEST(SequenceReorderTest, InOrderItemsPassStraightThrough) {
  SequenceReorder<int> reorder(1);
  Collected out;
  for (int n = 1; n <= 3; ++n) EXPECT_TRUE(reorder.push(n, n * 10, out.sink()));
  EXPECT_EQ(out.items, (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(reorder.next(), 4u);
  EXPECT_EQ(reorder.held(), 0u);
}

// The case the registry met: event 7 (posted from another worker) arrives before event 6.
TEST(SequenceReorderTest, AnEarlyItemWaitsForTheOneBeforeIt) {
  SequenceReorder<int> reorder(6);
  Collected out;
  EXPECT_TRUE(reorder.push(7, 7, out.sink()));
  EXPECT_TRUE(out.items.empty());
  EXPECT_EQ(reorder.held(), 1u);
  EXPECT_TRUE(reorder.push(6, 6, out.sink()));
  EXPECT_EQ(out.items, (std::vector<int>{6, 7}));
  EXPECT_EQ(reorder.held(), 0u);
  EXPECT_EQ(reorder.next(), 8u);
}

TEST(SequenceReorderTest, AGapHoldsEverythingAfterIt) {
  SequenceReorder<int> reorder(1);
  Collected out;
  reorder.push(1, 1, out.sink());
  reorder.push(3, 3, out.sink());
  reorder.push(5, 5, out.sink());
  reorder.push(4, 4, out.sink());
  EXPECT_EQ(out.items, (std::vector<int>{1}));
  EXPECT_EQ(reorder.held(), 3u);
  reorder.push(2, 2, out.sink());
  EXPECT_EQ(out.items, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(SequenceReorderTest, RepeatsAreDroppedNotDeliveredTwice) {
  SequenceReorder<int> reorder(1);
  Collected out;
  reorder.push(1, 1, out.sink());
  EXPECT_FALSE(reorder.push(1, 100, out.sink()));  // already accepted
  reorder.push(3, 3, out.sink());
  EXPECT_FALSE(reorder.push(3, 300, out.sink()));  // already held
  reorder.push(2, 2, out.sink());
  EXPECT_EQ(out.items, (std::vector<int>{1, 2, 3}));
}

// Every arrival order of 1..N comes out as 1..N (shuffles from fixed seeds: deterministic).
TEST(SequenceReorderTest, AnyArrivalOrderComesOutInNumberOrder) {
  constexpr int kItems = 200;
  std::vector<int> expected(kItems);
  std::iota(expected.begin(), expected.end(), 1);
  for (unsigned seed = 1; seed <= 50; ++seed) {
    std::vector<int> arrival = expected;
    std::mt19937 random(seed);
    std::shuffle(arrival.begin(), arrival.end(), random);
    SequenceReorder<int> reorder(1);
    Collected out;
    for (int n : arrival) reorder.push(static_cast<std::uint64_t>(n), n, out.sink());
    EXPECT_EQ(out.items, expected) << "seed " << seed;
    EXPECT_EQ(reorder.held(), 0u);
  }
}

TEST(SequenceReorderTest, MoveOnlyItemsAreMovedOnce) {
  SequenceReorder<std::unique_ptr<std::string>> reorder(1);
  std::vector<std::string> out;
  auto sink = [&](std::unique_ptr<std::string> item) { out.push_back(*item); };
  reorder.push(2, std::make_unique<std::string>("b"), sink);
  reorder.push(1, std::make_unique<std::string>("a"), sink);
  EXPECT_EQ(out, (std::vector<std::string>{"a", "b"}));
}

}  // namespace
}  // namespace basalt::realtime
