#include "basalt/query/arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

namespace basalt::query {
namespace {

TEST(Arena, HonoursAlignmentAcrossBlocks) {
  Arena arena(256);
  for (int i = 0; i < 1000; ++i) {
    void* p = arena.allocate(static_cast<std::size_t>(1 + i % 13), (i % 2) ? 8 : 16);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % ((i % 2) ? 8 : 16), 0u);
  }
  EXPECT_GE(arena.bytes_used(), 1000u);
}

TEST(Arena, AllocationsLargerThanABlockGetTheirOwn) {
  Arena arena(256);
  auto* big = static_cast<char*>(arena.allocate(10000, 1));
  big[0] = 'a';
  big[9999] = 'z';
  EXPECT_EQ(big[9999], 'z');
}

TEST(Arena, CopiesSurviveMovesOfTheArena) {
  std::string source = "short";  // small enough for the string's inline buffer
  Arena arena;
  std::string_view copy = arena.copy(source);
  source = "overwritten";
  Arena moved(std::move(arena));
  Arena assigned;
  assigned = std::move(moved);
  EXPECT_EQ(copy, "short");
  // A moved-from arena is empty and usable.
  EXPECT_EQ(arena.bytes_used(), 0u);  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(arena.copy(std::string_view("again")), "again");
}

TEST(Arena, EmptyCopiesAllocateNothing) {
  Arena arena;
  EXPECT_TRUE(arena.copy(std::string_view()).empty());
  EXPECT_TRUE(arena.copy(std::span<const int>()).empty());
  EXPECT_EQ(arena.bytes_used(), 0u);
}

}  // namespace
}  // namespace basalt::query
