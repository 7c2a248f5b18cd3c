#include "basalt/brokers/event_template.hpp"

#include "basalt/brokers/testing/test_events.hpp"

#include <gtest/gtest.h>

namespace basalt::brokers {
namespace {

TEST(EventTemplate, ExpandsCollectionIdAndAction) {
  const auto event = testing::numbered_event(1, "posts", "delete");
  EXPECT_EQ(expand_event_template("{collection}.{action}", event), "posts.delete");
  EXPECT_EQ(expand_event_template("basalt:{collectionId}", event), "basalt:pbc_posts");
  EXPECT_EQ(expand_event_template("fixed", event), "fixed");
  EXPECT_EQ(expand_event_template("{{{action}}}", event), "{delete}");
}

TEST(EventTemplate, ACustomEventIsCollectionCustomWithItsTypeAsAction) {
  auto event = testing::numbered_event(1, "posts", "create");
  event.action = "custom:order.paid";
  event.collection_id.clear();
  event.collection_name.clear();
  EXPECT_EQ(expand_event_template("{collection}.{action}", event), "custom.order.paid");
  EXPECT_EQ(expand_event_template("basalt:{collectionId}", event), "basalt:custom");
}

TEST(EventTemplate, RejectsMalformedTemplates) {
  EXPECT_FALSE(check_event_template("{collection}.{action}"));
  EXPECT_FALSE(check_event_template(""));
  EXPECT_TRUE(check_event_template("{record}"));
  EXPECT_TRUE(check_event_template("{collection"));
  EXPECT_TRUE(check_event_template("a}b"));
  EXPECT_TRUE(check_event_template("{}"));
}

}  // namespace
}  // namespace basalt::brokers
