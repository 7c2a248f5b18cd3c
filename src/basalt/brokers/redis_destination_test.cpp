// Redis Streams connector against a real redis-server on loopback, read back with hiredis.
#include "basalt/brokers/redis_destination.hpp"

#include "basalt/brokers/event_envelope.hpp"
#include "basalt/brokers/testing/broker_process.hpp"
#include "basalt/brokers/testing/test_events.hpp"
#include "basalt/core/span_scope.hpp"

#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <boost/json/parse.hpp>

#include <map>
#include <memory>
#include <vector>

namespace basalt::brokers {
namespace {

using Outcome = events::DeliveryResult::Outcome;

struct RedisEntry {
  std::string entry_id;
  std::map<std::string, std::string> fields;
};

// A plain hiredis connection of the test's own, to read what the connector wrote.
class RedisTestClient {
 public:
  explicit RedisTestClient(std::uint16_t port) {
    context_ = redisConnect("127.0.0.1", port);
    if (context_ == nullptr || context_->err != 0) throw std::runtime_error("redis connect");
  }
  ~RedisTestClient() { redisFree(context_); }

  std::vector<RedisEntry> xrange(const std::string& key) {
    auto* reply = static_cast<redisReply*>(redisCommand(context_, "XRANGE %s - +", key.c_str()));
    std::vector<RedisEntry> entries;
    if (reply == nullptr) throw std::runtime_error("XRANGE failed");
    for (std::size_t i = 0; i < reply->elements; ++i) {
      const auto* entry = reply->element[i];
      RedisEntry out;
      out.entry_id = entry->element[0]->str;
      const auto* fields = entry->element[1];
      for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
        out.fields[fields->element[f]->str] =
            std::string(fields->element[f + 1]->str, fields->element[f + 1]->len);
      }
      entries.push_back(std::move(out));
    }
    freeReplyObject(reply);
    return entries;
  }

  void set(const std::string& key, const std::string& value) {
    freeReplyObject(redisCommand(context_, "SET %s %s", key.c_str(), value.c_str()));
  }

  void add_user(const std::string& user, const std::string& password) {
    const auto secret = ">" + password;
    freeReplyObject(
        redisCommand(context_, "ACL SETUSER %s on %s ~* +@all", user.c_str(), secret.c_str()));
  }

 private:
  redisContext* context_ = nullptr;
};

class RedisDestinationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = new testing::BrokerProcess("redis"); }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  static RedisConfig test_config(std::string stream_key) {
    ConfigErrors errors;
    boost::json::object object{{"url", broker_->url()},
                               {"streamKey", std::move(stream_key)},
                               {"connectTimeoutMs", 2000},
                               {"timeoutMs", 3000}};
    auto config = parse_redis_config(object, errors);
    if (!config) throw std::runtime_error("bad test config");
    config->allow_private = true;  // the test broker is on loopback
    return *config;
  }

  static testing::BrokerProcess* broker_;
};

testing::BrokerProcess* RedisDestinationTest::broker_ = nullptr;

TEST_F(RedisDestinationTest, AppendsEveryEventInOrderWithItsFields) {
  auto destination = make_redis_destination(test_config("order:{collection}"));
  constexpr int kEvents = 30;
  for (int n = 1; n <= kEvents; ++n) {
    const auto result =
        destination->deliver(testing::numbered_event(n, "posts", n % 2 ? "create" : "update"));
    ASSERT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
    EXPECT_NE(result.detail.find("order:posts"), std::string::npos);
  }
  RedisTestClient client(broker_->port());
  const auto entries = client.xrange("order:posts");
  ASSERT_EQ(entries.size(), static_cast<std::size_t>(kEvents));
  for (int n = 1; n <= kEvents; ++n) {
    const auto expected = testing::numbered_event(n, "posts", n % 2 ? "create" : "update");
    const auto& fields = entries[n - 1].fields;
    EXPECT_EQ(fields.at("id"), expected.event_id);
    EXPECT_EQ(fields.at("type"), "record." + expected.action);
    EXPECT_EQ(fields.at("action"), expected.action);
    EXPECT_EQ(fields.at("collection"), "posts");
    EXPECT_EQ(fields.at("collectionId"), "pbc_posts");
    EXPECT_EQ(fields.at("sequence"), std::to_string(n));
    EXPECT_EQ(fields.at("timestamp"), rfc3339_commit_time(expected));
    EXPECT_EQ(fields.at("timestamp").find(' '), std::string::npos);
    EXPECT_EQ(boost::json::parse(fields.at("record")), boost::json::parse(expected.record_json));
  }
}

// deliver_many: every XADD written before the replies are read; each reply is its own
// command's, so a refused one (a key of another type) leaves the others appended.
TEST_F(RedisDestinationTest, APipelineAppendsInOrderAndAReplyAnswersOnlyItsCommand) {
  RedisTestClient client(broker_->port());
  client.set("piped:blocked", "a string, not a stream");
  auto destination = make_redis_destination(test_config("piped:{collection}"));
  ASSERT_EQ(destination->max_in_flight(), 64u);  // the default maxInFlight
  std::vector<events::OutboxEvent> events;
  for (int n = 1; n <= 40; ++n) events.push_back(testing::numbered_event(n));
  events[20] = testing::numbered_event(21, "blocked");
  const auto pointers = testing::pointers_of(events);
  const auto results = destination->deliver_many(pointers, {});
  ASSERT_EQ(results.size(), events.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].outcome, i == 20 ? Outcome::kReject : Outcome::kDelivered)
        << i << ": " << results[i].detail;
  }
  EXPECT_NE(results[20].detail.find("WRONGTYPE"), std::string::npos) << results[20].detail;
  const auto entries = client.xrange("piped:posts");
  ASSERT_EQ(entries.size(), 39u);
  std::size_t at = 0;
  for (int n = 1; n <= 40; ++n) {
    if (n == 21) continue;
    EXPECT_EQ(entries[at++].fields.at("sequence"), std::to_string(n));
  }
}

TEST_F(RedisDestinationTest, AHostNameIsResolvedAndCheckedByTheOutboundGuard) {
  RedisConfig config = test_config("named:{collection}");
  config.url.host = "localhost";  // resolves to loopback
  const auto delivered = make_redis_destination(config)->deliver(testing::numbered_event(1));
  EXPECT_EQ(delivered.outcome, Outcome::kDelivered) << delivered.detail;
  config.allow_private = false;
  const auto refused = make_redis_destination(config)->deliver(testing::numbered_event(2));
  EXPECT_EQ(refused.outcome, Outcome::kReject);
  EXPECT_NE(refused.detail.find("resolves to a loopback address"), std::string::npos)
      << refused.detail;
  RedisTestClient client(broker_->port());
  EXPECT_EQ(client.xrange("named:posts").size(), 1u);
}

TEST_F(RedisDestinationTest, ATracedDeliveryCarriesItsTraceContextAsFields) {
  auto destination = make_redis_destination(test_config("traced:{collection}"));
  ASSERT_EQ(destination->deliver(testing::numbered_event(1, "posts", "create")).outcome,
            Outcome::kDelivered);  // no span current: no trace fields
  core::SpanCell cell{core::ActiveSpan{core::random_trace_id(), core::random_span_id(), nullptr},
                      "vendor=v1"};
  const std::string traceparent = [&] {
    core::CellInstall install(&cell);
    const auto result = destination->deliver(testing::numbered_event(2, "posts", "create"));
    EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
    return core::outgoing_trace_context().traceparent;
  }();
  RedisTestClient client(broker_->port());
  const auto entries = client.xrange("traced:posts");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_FALSE(entries[0].fields.contains("traceparent"));
  EXPECT_EQ(entries[1].fields.at("traceparent"), traceparent);
  EXPECT_EQ(entries[1].fields.at("tracestate"), "vendor=v1");
  EXPECT_EQ(entries[1].fields.at("id"), testing::numbered_event(2, "posts", "create").event_id);
}

TEST_F(RedisDestinationTest, KilledBrokerMeansRetryAndTheRetriedEventsArriveAfterRestart) {
  auto destination = make_redis_destination(test_config("crash:{collection}"));
  for (int n = 1; n <= 5; ++n) {
    ASSERT_EQ(destination->deliver(testing::numbered_event(n)).outcome, Outcome::kDelivered);
  }
  // A second destination whose connection sits idle across the crash.
  auto idle = make_redis_destination(test_config("idle:{collection}"));
  ASSERT_EQ(idle->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  broker_->kill();
  // The dispatcher keeps offering the same event until it is delivered.
  const auto down = destination->deliver(testing::numbered_event(6));
  EXPECT_EQ(down.outcome, Outcome::kRetry) << down.detail;
  const auto still_down = destination->deliver(testing::numbered_event(6));
  EXPECT_EQ(still_down.outcome, Outcome::kRetry) << still_down.detail;
  EXPECT_NE(still_down.detail.find("connect"), std::string::npos) << still_down.detail;
  broker_->restart();
  // Its dead connection is noticed and replaced within the same delivery: no retry needed.
  const auto after_idle = idle->deliver(testing::numbered_event(2));
  EXPECT_EQ(after_idle.outcome, Outcome::kDelivered) << after_idle.detail;
  for (int n = 6; n <= 10; ++n) {
    const auto result = destination->deliver(testing::numbered_event(n));
    ASSERT_EQ(result.outcome, Outcome::kDelivered) << n << ": " << result.detail;
  }
  RedisTestClient client(broker_->port());
  const auto entries = client.xrange("crash:posts");
  // appendfsync always: every acknowledged XADD survived the SIGKILL; none was acknowledged
  // while the server was down, so there are no duplicates.
  ASSERT_EQ(entries.size(), 10u);
  for (int n = 1; n <= 10; ++n) {
    EXPECT_EQ(entries[n - 1].fields.at("id"), testing::numbered_event(n).event_id);
  }
  EXPECT_EQ(client.xrange("idle:posts").size(), 2u);
}

TEST_F(RedisDestinationTest, TrimsToAboutMaxLen) {
  auto config = test_config("trim:{collection}");
  config.max_len = 10;
  auto destination = make_redis_destination(config);
  for (int n = 1; n <= 300; ++n) {
    ASSERT_EQ(destination->deliver(testing::numbered_event(n)).outcome, Outcome::kDelivered);
  }
  RedisTestClient client(broker_->port());
  const auto entries = client.xrange("trim:posts");
  // "~": Redis trims whole radix-tree nodes (100 entries by default), never below maxLen.
  EXPECT_GE(entries.size(), 10u);
  EXPECT_LT(entries.size(), 300u);
  EXPECT_EQ(entries.back().fields.at("id"), testing::numbered_event(300).event_id);
}

TEST_F(RedisDestinationTest, KeyOfAnotherTypeIsRejected) {
  RedisTestClient client(broker_->port());
  client.set("plain:posts", "a string");
  auto destination = make_redis_destination(test_config("plain:{collection}"));
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kReject);
  EXPECT_NE(result.detail.find("WRONGTYPE"), std::string::npos) << result.detail;
}

TEST_F(RedisDestinationTest, AuthenticatesAsAnAclUserAndRejectsAWrongPassword) {
  RedisTestClient client(broker_->port());
  client.add_user("basalt", "right-secret");
  auto config = test_config("auth:{collection}");
  config.url.user = "basalt";
  config.url.password = "right-secret";
  config.url.has_password = true;
  config.database = 2;
  auto good = make_redis_destination(config);
  const auto delivered = good->deliver(testing::numbered_event(1));
  EXPECT_EQ(delivered.outcome, Outcome::kDelivered) << delivered.detail;

  config.url.password = "hunter2-secret";
  auto bad = make_redis_destination(config);
  const auto result = bad->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kReject) << result.detail;
  EXPECT_EQ(result.detail.find("hunter2"), std::string::npos) << result.detail;
  // The entry went to database 2, not 0.
  EXPECT_TRUE(client.xrange("auth:posts").empty());
}

TEST(RedisDestinationNoServer, ConnectionRefusedIsRetry) {
  ConfigErrors errors;
  const auto port = testing::unused_loopback_port();
  boost::json::object object{{"url", "redis://:pw@127.0.0.1:" + std::to_string(port)},
                             {"connectTimeoutMs", 500}};
  auto config = parse_redis_config(object, errors);
  ASSERT_TRUE(config);
  config->allow_private = true;  // loopback
  auto destination = make_redis_destination(*config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_NE(result.detail.find("connect to redis://127.0.0.1"), std::string::npos) << result.detail;
}

TEST(RedisDestinationNoServer, ServerThatNeverAnswersEndsInRetryAfterTheTimeouts) {
  testing::SilentListener silent;
  ConfigErrors errors;
  boost::json::object object{{"url", "redis://127.0.0.1:" + std::to_string(silent.port())},
                             {"connectTimeoutMs", 300},
                             {"timeoutMs", 300}};
  auto config = parse_redis_config(object, errors);
  ASSERT_TRUE(config);
  config->allow_private = true;  // loopback
  auto destination = make_redis_destination(*config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kRetry) << result.detail;
  EXPECT_FALSE(result.detail.empty());
}

}  // namespace
}  // namespace basalt::brokers
