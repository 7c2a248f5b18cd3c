// DeliveryGroup's log and the two steps of a flush pass that read it (take_unwritten) and trim
// it (drop_written): what a subscriber is written, once each and in commit order, when
// messages arrive between and during passes.
#include "basalt/realtime/delivery_group.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace basalt::realtime {
namespace {

// Subscriptions without a client: the two steps read only the group, the prefix and the mark.
struct Subscriber {
  std::vector<std::unique_ptr<Subscription>> subscriptions;

  Subscriber& join(DeliveryGroup& group, std::string prefix, std::uint64_t since) {
    auto subscription = std::make_unique<Subscription>(
        Subscription{nullptr, nullptr, &group, std::move(prefix), since, group.members.size()});
    group.members.push_back(subscription.get());
    subscriptions.push_back(std::move(subscription));
    return *this;
  }

  // The messages a visit now writes, as "prefix+data" strings.
  std::vector<std::string> visit() {
    std::vector<PassMessage> taken;
    take_unwritten(subscriptions, taken);
    std::vector<std::string> written;
    for (const PassMessage& message : taken) written.push_back(*message.prefix + *message.data);
    return written;
  }
};

void check(DeliveryGroup& group, std::uint64_t event) {
  group.log.push_back({event, "e" + std::to_string(event)});
}

using Written = std::vector<std::string>;

TEST(DeliveryGroupTest, AMessageCheckedDuringAPassReachesTheMembersNotYetVisited) {
  DeliveryGroup group;
  Subscriber early, late;
  early.join(group, "a:", 0);
  late.join(group, "b:", 0);
  check(group, 1);
  group.written_through = group.log.back().event;  // the pass takes the group
  EXPECT_EQ(early.visit(), (Written{"a:e1"}));
  check(group, 2);  // checked while the pass runs
  EXPECT_EQ(late.visit(), (Written{"b:e1", "b:e2"}));
  drop_written(group);  // the pass ends: event 1 is everyone's, event 2 is not yet
  ASSERT_EQ(group.log.size(), 1u);
  EXPECT_EQ(group.log.front().event, 2u);
  // The next pass: the member visited early gets event 2, the other nothing again.
  group.written_through = group.log.back().event;
  EXPECT_EQ(early.visit(), (Written{"a:e2"}));
  EXPECT_TRUE(late.visit().empty());
  drop_written(group);
  EXPECT_TRUE(group.log.empty());
}

TEST(DeliveryGroupTest, ASubscriptionGetsOnlyEventsAfterItsStartAndEachOnce) {
  DeliveryGroup group;
  check(group, 1);
  check(group, 2);
  Subscriber subscriber;
  subscriber.join(group, "", 2);  // made while events 1 and 2 were already checked
  EXPECT_TRUE(subscriber.visit().empty());
  check(group, 3);
  EXPECT_EQ(subscriber.visit(), (Written{"e3"}));
  EXPECT_TRUE(subscriber.visit().empty());
}

TEST(DeliveryGroupTest, MessagesOfSeveralGroupsLeaveInCommitOrderAndOneEventInTopicOrder) {
  DeliveryGroup all, one;
  Subscriber subscriber;
  subscriber.join(all, "all:", 0).join(one, "one:", 0);
  check(all, 1);
  check(all, 2);
  check(one, 2);
  check(all, 4);
  check(one, 3);
  EXPECT_EQ(subscriber.visit(), (Written{"all:e1", "all:e2", "one:e2", "one:e3", "all:e4"}));
}

TEST(DeliveryGroupTest, AMemberThatJoinsDuringAPassStartsAfterWhatThePassDrops) {
  DeliveryGroup group;
  Subscriber first;
  first.join(group, "a:", 0);
  check(group, 1);
  check(group, 2);
  group.written_through = group.log.back().event;  // the pass takes the group
  EXPECT_EQ(first.visit(), (Written{"a:e1", "a:e2"}));
  // Joins now, as a POST during the pass would: it starts after the newest event checked (the
  // registry's event count), so it is owed nothing the pass is about to drop.
  Subscriber joined;
  joined.join(group, "b:", 2);
  check(group, 3);
  drop_written(group);
  EXPECT_EQ(joined.visit(), (Written{"b:e3"}));
  EXPECT_EQ(first.visit(), (Written{"a:e3"}));
}

TEST(DeliveryGroupTest, OneEventForTwoTopicsMaySplitAcrossWritesButNeverPassesAnEarlierOne) {
  // deliver() checks an event's groups one after another and may wait between them; a visit
  // in that gap writes what is checked so far.
  DeliveryGroup list, view;
  Subscriber subscriber;
  subscriber.join(list, "list:", 0).join(view, "view:", 0);
  check(list, 1);
  check(view, 1);
  check(view, 2);  // event 2 reached the view topic's group; its list group is not checked yet
  EXPECT_EQ(subscriber.visit(), (Written{"list:e1", "view:e1", "view:e2"}));
  check(list, 2);
  EXPECT_EQ(subscriber.visit(), (Written{"list:e2"}));
}

TEST(DeliveryGroupTest, DropWrittenKeepsWhatCameAfterThePassTookTheGroup) {
  DeliveryGroup group;
  for (std::uint64_t event = 1; event <= 5; ++event) check(group, event);
  group.written_through = 3;
  drop_written(group);
  ASSERT_EQ(group.log.size(), 2u);
  EXPECT_EQ(group.log[0].event, 4u);
  EXPECT_EQ(group.log[1].event, 5u);
}

}  // namespace
}  // namespace basalt::realtime
