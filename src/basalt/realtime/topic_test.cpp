#include "basalt/realtime/topic.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "basalt/core/api_error.hpp"

namespace basalt::realtime {
namespace {

int status_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const core::ApiError& error) {
    return error.status();
  }
  return 0;
}

TEST(Topic, Wildcard) {
  Topic topic = parse_topic("posts/*");
  EXPECT_EQ(topic.collection, "posts");
  EXPECT_FALSE(topic.view());
  EXPECT_EQ(topic.text, "posts/*");
}

TEST(Topic, BareCollectionIsAList) {
  Topic topic = parse_topic("posts");
  EXPECT_EQ(topic.collection, "posts");
  EXPECT_FALSE(topic.view());
}

TEST(Topic, OneRecord) {
  Topic topic = parse_topic("posts/abc123");
  EXPECT_EQ(topic.collection, "posts");
  EXPECT_EQ(topic.record_id, "abc123");
  EXPECT_TRUE(topic.view());
}

TEST(Topic, OptionsAsTheSdkEncodesThem) {
  // encodeURIComponent(JSON.stringify({query:{filter:"a =
  // 1",expand:"author"},headers:{"X-Token":"t"}}))
  const std::string text =
      "posts/*?options=%7B%22query%22%3A%7B%22filter%22%3A%22a%20%3D%201%22%2C%22expand%22%3A%"
      "22author%22%2C%22fields%22%3A%22id%22%7D%2C%22headers%22%3A%7B%22X-Token%22%3A%22t%22%7D%7D";
  Topic topic = parse_topic(text);
  EXPECT_EQ(topic.text, text);
  EXPECT_EQ(topic.collection, "posts");
  EXPECT_FALSE(topic.view());
  EXPECT_EQ(topic.filter, "a = 1");
  EXPECT_EQ(topic.expand, "author");
  EXPECT_EQ(topic.fields, "id");
  EXPECT_EQ(topic.headers.at("x_token").as_string(), "t");
}

TEST(Topic, NonStringOptionValuesReadAsTheirJson) {
  Topic topic = parse_topic("posts/*?options=%7B%22query%22%3A%7B%22n%22%3A5%7D%7D");
  EXPECT_EQ(topic.query.at("n").as_string(), "5");
}

TEST(Topic, MalformedOptionsAre400) {
  EXPECT_EQ(status_of([] { parse_topic("posts/*?options=%7Bnot-json"); }), 400);
  EXPECT_EQ(status_of([] { parse_topic("posts/*?options=%zz"); }), 400);
  EXPECT_EQ(status_of([] { parse_topic("posts/*?options=%5B1%5D"); }), 400);  // not an object
  EXPECT_EQ(status_of([] { parse_topic("posts/*?options=%7B%22query%22%3A1%7D"); }), 400);
}

TEST(Topic, SameOptionsShareACheckKey) {
  EXPECT_EQ(parse_topic("posts/*").check_key(), parse_topic("abcdefghijklmno/*").check_key());
  EXPECT_NE(parse_topic("posts/*").check_key(), parse_topic("posts/x").check_key());
  EXPECT_NE(
      parse_topic("posts/*").check_key(),
      parse_topic("posts/*?options=%7B%22query%22%3A%7B%22filter%22%3A%22a%22%7D%7D").check_key());
}

TEST(Topics, Bounds) {
  boost::json::array many;
  for (std::size_t i = 0; i < kMaxTopics; ++i) many.emplace_back("posts/" + std::to_string(i));
  boost::json::value list = many;
  EXPECT_EQ(parse_topics(&list).size(), kMaxTopics);
  many.emplace_back("posts/last");
  list = many;
  EXPECT_EQ(status_of([&] { parse_topics(&list); }), 400);

  boost::json::value longest = boost::json::array{std::string(kMaxTopicLength, 'a')};
  EXPECT_EQ(parse_topics(&longest).size(), 1u);
  boost::json::value too_long = boost::json::array{std::string(kMaxTopicLength + 1, 'a')};
  EXPECT_EQ(status_of([&] { parse_topics(&too_long); }), 400);
}

TEST(Topics, ShapeAndDuplicates) {
  boost::json::value not_array = boost::json::parse(R"({"a":1})");
  EXPECT_EQ(status_of([&] { parse_topics(&not_array); }), 400);
  boost::json::value not_strings = boost::json::parse(R"([1])");
  EXPECT_EQ(status_of([&] { parse_topics(&not_strings); }), 400);
  boost::json::value line_break = boost::json::parse(R"(["posts/*\nevent:x"])");
  EXPECT_EQ(status_of([&] { parse_topics(&line_break); }), 400);
  boost::json::value repeated = boost::json::parse(R"(["posts/*","","posts/*","posts/a"])");
  EXPECT_EQ(parse_topics(&repeated).size(), 2u);
  EXPECT_TRUE(parse_topics(nullptr).empty());
}

}  // namespace
}  // namespace basalt::realtime
