#include "basalt/realtime/subscription_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace basalt::realtime {
namespace {

struct Member {
  int id;
};

std::vector<int> matches(const SubscriptionIndex<Member>& index, std::string_view id,
                         std::string_view name, std::string_view record) {
  std::vector<int> out;
  index.for_each_match(id, name, record, [&](Member* member) { out.push_back(member->id); });
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SubscriptionIndex, ListAndViewTopicsByIdOrName) {
  SubscriptionIndex<Member> index;
  Member a{1}, b{2}, c{3}, d{4};
  index.add(parse_topic("posts/*"), &a);
  index.add(parse_topic("pbc_1/r1"), &b);
  index.add(parse_topic("posts/r2"), &c);
  index.add(parse_topic("other/*"), &d);
  EXPECT_EQ(matches(index, "pbc_1", "posts", "r1"), (std::vector<int>{1, 2}));
  EXPECT_EQ(matches(index, "pbc_1", "posts", "r2"), (std::vector<int>{1, 3}));
  EXPECT_EQ(matches(index, "pbc_1", "posts", "r3"), (std::vector<int>{1}));
  EXPECT_EQ(matches(index, "pbc_2", "third", "r1"), (std::vector<int>{}));
}

TEST(SubscriptionIndex, RemovingOneOfTwoTopicsUnderAKeyKeepsTheOther) {
  SubscriptionIndex<Member> index;
  Member a{1};
  const Topic plain = parse_topic("posts/*");
  const Topic filtered = parse_topic("posts/*?options=%7B%7D");
  index.add(plain, &a);
  index.add(filtered, &a);
  index.remove(plain, &a);
  EXPECT_EQ(matches(index, "x", "posts", "r"), (std::vector<int>{1}));
  index.remove(filtered, &a);
  EXPECT_EQ(matches(index, "x", "posts", "r"), (std::vector<int>{}));
  EXPECT_TRUE(index.empty());
}

TEST(SubscriptionIndex, AKeyHoldsManyMembers) {
  SubscriptionIndex<Member> index;
  std::vector<Member> members(1000);
  for (int i = 0; i < 1000; ++i) {
    members[i].id = i;
    index.add(parse_topic("posts/*"), &members[i]);
  }
  EXPECT_EQ(index.key_count(), 1u);
  EXPECT_EQ(matches(index, "x", "posts", "r").size(), 1000u);
  for (auto& member : members) index.remove(parse_topic("posts/*"), &member);
  EXPECT_TRUE(index.empty());
}

}  // namespace
}  // namespace basalt::realtime
