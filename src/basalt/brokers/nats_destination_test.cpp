// NATS JetStream connector against a real nats-server -js on loopback, read back with libnats.
#include "basalt/brokers/nats_destination.hpp"

#include "basalt/brokers/testing/broker_process.hpp"
#include "basalt/brokers/testing/test_events.hpp"
#include "basalt/core/span_scope.hpp"

#include <gtest/gtest.h>
#include <nats/nats.h>
#include <boost/json/parse.hpp>

#include <optional>
#include <span>
#include <vector>

namespace basalt::brokers {
namespace {

using Outcome = events::DeliveryResult::Outcome;

struct StoredNatsMessage {
  std::string subject;
  std::string msg_id;
  std::string traceparent;  // NATS headers, when the delivery was traced
  std::string tracestate;
  std::string body;
};

// The test's own libnats connection: reads a stream back by sequence number.
class NatsTestReader {
 public:
  explicit NatsTestReader(const std::string& url) {
    if (natsConnection_ConnectTo(&connection_, url.c_str()) != NATS_OK) {
      throw std::runtime_error("nats connect");
    }
    if (natsConnection_JetStream(&jetstream_, connection_, nullptr) != NATS_OK) {
      throw std::runtime_error("jetstream context");
    }
  }
  ~NatsTestReader() {
    jsCtx_Destroy(jetstream_);
    natsConnection_Destroy(connection_);
  }

  std::vector<StoredNatsMessage> read_stream(const std::string& stream) {
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, jetstream_, stream.c_str(), nullptr, nullptr) != NATS_OK) {
      throw std::runtime_error("no stream " + stream);
    }
    const auto first = info->State.FirstSeq;
    const auto last = info->State.LastSeq;
    jsStreamInfo_Destroy(info);
    std::vector<StoredNatsMessage> messages;
    for (auto seq = first; seq != 0 && seq <= last; ++seq) {
      natsMsg* msg = nullptr;
      if (js_GetMsg(&msg, jetstream_, stream.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;
      StoredNatsMessage out;
      out.subject = natsMsg_GetSubject(msg);
      const char* id = nullptr;
      if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) == NATS_OK) out.msg_id = id;
      const char* value = nullptr;
      if (natsMsgHeader_Get(msg, "traceparent", &value) == NATS_OK) out.traceparent = value;
      if (natsMsgHeader_Get(msg, "tracestate", &value) == NATS_OK) out.tracestate = value;
      out.body.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
      natsMsg_Destroy(msg);
      messages.push_back(std::move(out));
    }
    return messages;
  }

 private:
  natsConnection* connection_ = nullptr;
  jsCtx* jetstream_ = nullptr;
};

class NatsDestinationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = new testing::BrokerProcess("nats"); }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  static NatsConfig nats_test_config(std::string prefix, std::string stream) {
    ConfigErrors errors;
    boost::json::object object{{"url", broker_->url()},
                               {"subjectPrefix", std::move(prefix)},
                               {"stream", std::move(stream)},
                               {"connectTimeoutMs", 2000},
                               {"timeoutMs", 3000}};
    auto config = parse_nats_config(object, errors);
    if (!config) throw std::runtime_error("bad test config");
    config->allow_private = true;  // the test broker is on loopback
    return *config;
  }

  static testing::BrokerProcess* broker_;
};

testing::BrokerProcess* NatsDestinationTest::broker_ = nullptr;

TEST_F(NatsDestinationTest, PublishesEachEventToItsSubjectWithItsIdInOrder) {
  auto destination = make_nats_destination(nats_test_config("basalt", "BASALT"));
  constexpr int kEvents = 30;
  auto event_for = [](int n) {
    return testing::numbered_event(n, n % 3 ? "posts" : "comments", n % 2 ? "create" : "delete");
  };
  for (int n = 1; n <= kEvents; ++n) {
    const auto result = destination->deliver(event_for(n));
    ASSERT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  }
  NatsTestReader reader(broker_->url());
  const auto messages = reader.read_stream("BASALT");
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kEvents));
  for (int n = 1; n <= kEvents; ++n) {
    const auto expected = event_for(n);
    const auto& message = messages[n - 1];
    EXPECT_EQ(message.subject, "basalt." + expected.collection_name + "." + expected.action);
    EXPECT_EQ(message.msg_id, expected.event_id);
    const auto envelope = boost::json::parse(message.body).as_object();
    EXPECT_EQ(envelope.at("id").as_string(), expected.event_id);
    EXPECT_EQ(envelope.at("sequence").as_int64(), n);
    EXPECT_EQ(envelope.at("data").at("record"), boost::json::parse(expected.record_json));
  }
}

// deliver_many: asynchronous publishes, each with the trace context current when BeforeSend
// named it, stored in order; a pipeline sent again is acknowledged as duplicates and stored once.
TEST_F(NatsDestinationTest, APipelineIsStoredInOrderOnceAndEachMessageCarriesItsOwnTrace) {
  auto destination = make_nats_destination(nats_test_config("piped", "PIPED"));
  ASSERT_EQ(destination->max_in_flight(), 64u);  // the default maxInFlight
  constexpr int kEvents = 50;
  std::vector<events::OutboxEvent> events;
  for (int n = 1; n <= kEvents; ++n) {
    events.push_back(testing::numbered_event(n, n % 2 ? "posts" : "comments"));
  }
  const auto [results, traceparents] = testing::deliver_traced_pipeline(*destination, events);
  ASSERT_EQ(results.size(), static_cast<std::size_t>(kEvents));
  for (const auto& result : results) {
    EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  }
  const auto again = destination->deliver_many(testing::pointers_of(events), {});
  ASSERT_EQ(again.size(), static_cast<std::size_t>(kEvents));
  for (const auto& result : again) {
    EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
    EXPECT_NE(result.detail.find("duplicate"), std::string::npos) << result.detail;
  }
  NatsTestReader reader(broker_->url());
  const auto messages = reader.read_stream("PIPED");
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kEvents));
  for (int n = 1; n <= kEvents; ++n) {
    EXPECT_EQ(messages[n - 1].msg_id, events[n - 1].event_id);
    EXPECT_EQ(messages[n - 1].subject,
              "piped." + events[n - 1].collection_name + "." + events[n - 1].action);
    EXPECT_EQ(messages[n - 1].traceparent, traceparents[n - 1]);
  }
}

// Without a stream for the subjects no one answers a publish: every message of the pipeline is
// refused on its own (a retry each), and the connection stays usable.
TEST_F(NatsDestinationTest, APipelineWithoutAStreamIsRetriedMessageByMessage) {
  NatsConfig config = nats_test_config("nostream", "NOSTREAM");
  config.create_stream = false;
  auto destination = make_nats_destination(config);
  const auto first = testing::numbered_event(1), second = testing::numbered_event(2);
  const events::OutboxEvent* pipeline[] = {&first, &second};
  const auto results = destination->deliver_many(pipeline, {});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) {
    EXPECT_EQ(result.outcome, Outcome::kRetry);
    EXPECT_NE(result.detail.find("no JetStream stream stores subject"), std::string::npos)
        << result.detail;
  }
}

// A server that stops reading and answering (SIGSTOP) under a pipeline larger than the sockets
// hold: the writes fail at their deadline, the pipeline ends at its timeout as a retry (never
// blocked), its messages are taken back from libnats, and once the server goes on (and stores
// what it had received after all) the same pipeline sent again is stored once, every event
// acknowledged, none of the late answers of the first attempt mistaken for the second's.
TEST_F(NatsDestinationTest, APipelineWithoutAnswersEndsAtItsTimeoutAndIsSentAgainSafely) {
  NatsConfig config = nats_test_config("paused", "PAUSED");
  config.timeout = std::chrono::milliseconds(500);
  auto destination = make_nats_destination(config);
  ASSERT_EQ(destination->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  std::vector<events::OutboxEvent> events;
  for (int n = 2; n <= 65; ++n) {
    events.push_back(testing::numbered_event(n));
    events.back().record_json = R"({"id":"big","text":")" + std::string(200 * 1024, 'x') + R"("})";
  }
  const auto pointers = testing::pointers_of(events);
  broker_->pause();
  const auto unanswered = destination->deliver_many(pointers, {});
  broker_->resume();
  ASSERT_EQ(unanswered.size(), 1u);
  EXPECT_EQ(unanswered[0].outcome, Outcome::kRetry);
  EXPECT_NE(unanswered[0].detail.find("no JetStream ack within 500 ms"), std::string::npos)
      << unanswered[0].detail;
  // Sent again as the dispatcher would, from the first event without a delivered result (the
  // server, catching up on what it had received, may take longer than 500 ms at first on a
  // busy machine: each try is bounded, their number too).
  std::span<const events::OutboxEvent* const> left(pointers);
  for (int tries = 0; tries < 50 && !left.empty(); ++tries) {
    const auto results = destination->deliver_many(left, {});
    ASSERT_FALSE(results.empty());
    std::size_t delivered = 0;
    while (delivered < results.size() && results[delivered].outcome == Outcome::kDelivered) {
      ++delivered;
    }
    if (delivered < results.size()) {
      EXPECT_EQ(results[delivered].outcome, Outcome::kRetry) << results[delivered].detail;
    }
    left = left.subspan(delivered);
  }
  EXPECT_TRUE(left.empty());
  NatsTestReader reader(broker_->url());
  const auto messages = reader.read_stream("PAUSED");
  ASSERT_EQ(messages.size(), 65u);
  for (int n = 1; n <= 65; ++n) {
    EXPECT_EQ(messages[n - 1].msg_id, testing::numbered_event(n).event_id);
  }
}

TEST_F(NatsDestinationTest, AHostNameIsResolvedAndCheckedByTheOutboundGuard) {
  NatsConfig config = nats_test_config("named", "NAMED");
  config.url.host = "localhost";  // resolves to loopback
  const auto delivered = make_nats_destination(config)->deliver(testing::numbered_event(1));
  EXPECT_EQ(delivered.outcome, Outcome::kDelivered) << delivered.detail;
  config.allow_private = false;
  const auto refused = make_nats_destination(config)->deliver(testing::numbered_event(2));
  EXPECT_EQ(refused.outcome, Outcome::kReject);
  EXPECT_NE(refused.detail.find("resolves to a loopback address"), std::string::npos)
      << refused.detail;
  NatsTestReader reader(broker_->url());
  EXPECT_EQ(reader.read_stream("NAMED").size(), 1u);
}

TEST_F(NatsDestinationTest, ATracedDeliveryCarriesItsTraceContextAsHeaders) {
  auto destination = make_nats_destination(nats_test_config("traced", "TRACED"));
  ASSERT_EQ(destination->deliver(testing::numbered_event(1, "posts", "create")).outcome,
            Outcome::kDelivered);  // no span current: no trace headers
  core::SpanCell cell{core::ActiveSpan{core::random_trace_id(), core::random_span_id(), nullptr},
                      "vendor=v1"};
  const std::string traceparent = [&] {
    core::CellInstall install(&cell);
    const auto result = destination->deliver(testing::numbered_event(2, "posts", "create"));
    EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
    return core::outgoing_trace_context().traceparent;
  }();
  NatsTestReader reader(broker_->url());
  const auto messages = reader.read_stream("TRACED");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].traceparent, "");
  EXPECT_EQ(messages[1].traceparent, traceparent);
  EXPECT_EQ(messages[1].tracestate, "vendor=v1");
  EXPECT_EQ(messages[1].msg_id, testing::numbered_event(2, "posts", "create").event_id);
}

TEST_F(NatsDestinationTest, SameEventTwiceIsStoredOnce) {
  auto destination = make_nats_destination(nats_test_config("dedup", "DEDUP"));
  ASSERT_EQ(destination->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  const auto again = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(again.outcome, Outcome::kDelivered);
  EXPECT_NE(again.detail.find("duplicate"), std::string::npos) << again.detail;
  NatsTestReader reader(broker_->url());
  EXPECT_EQ(reader.read_stream("DEDUP").size(), 1u);
}

TEST_F(NatsDestinationTest, KilledServerMeansRetryAndTheRetriedEventsArriveAfterRestart) {
  auto destination = make_nats_destination(nats_test_config("crash", "CRASH"));
  for (int n = 1; n <= 5; ++n) {
    ASSERT_EQ(destination->deliver(testing::numbered_event(n)).outcome, Outcome::kDelivered);
  }
  // A second destination whose connection sits idle across the crash.
  auto idle = make_nats_destination(nats_test_config("idle", "IDLE"));
  ASSERT_EQ(idle->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  broker_->kill();
  const auto down = destination->deliver(testing::numbered_event(6));
  EXPECT_EQ(down.outcome, Outcome::kRetry) << down.detail;
  const auto still_down = destination->deliver(testing::numbered_event(6));
  EXPECT_EQ(still_down.outcome, Outcome::kRetry) << still_down.detail;
  broker_->restart();
  // Its closed connection is noticed and replaced within the same delivery: no retry needed.
  const auto after_idle = idle->deliver(testing::numbered_event(2));
  EXPECT_EQ(after_idle.outcome, Outcome::kDelivered) << after_idle.detail;
  // A dispatcher that cannot know whether event 5's ack was lost offers it again: JetStream
  // recognises its Nats-Msg-Id and stores it once.
  const auto replay = destination->deliver(testing::numbered_event(5));
  ASSERT_EQ(replay.outcome, Outcome::kDelivered) << replay.detail;
  EXPECT_NE(replay.detail.find("duplicate"), std::string::npos) << replay.detail;
  for (int n = 6; n <= 10; ++n) {
    const auto result = destination->deliver(testing::numbered_event(n));
    ASSERT_EQ(result.outcome, Outcome::kDelivered) << n << ": " << result.detail;
  }
  NatsTestReader reader(broker_->url());
  const auto messages = reader.read_stream("CRASH");
  ASSERT_EQ(messages.size(), 10u);
  for (int n = 1; n <= 10; ++n) {
    EXPECT_EQ(messages[n - 1].msg_id, testing::numbered_event(n).event_id);
  }
}

TEST_F(NatsDestinationTest, WithoutAStreamThePublishIsRetried) {
  auto config = nats_test_config("nostream", "NOSTREAM");
  config.create_stream = false;
  auto destination = make_nats_destination(config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_NE(result.detail.find("no JetStream stream"), std::string::npos) << result.detail;
}

TEST_F(NatsDestinationTest, StreamWhoseSubjectsAnotherStreamTakesIsRejected) {
  auto first = make_nats_destination(nats_test_config("overlap", "OVERLAP_A"));
  ASSERT_EQ(first->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  auto second = make_nats_destination(nats_test_config("overlap", "OVERLAP_B"));
  const auto result = second->deliver(testing::numbered_event(2));
  EXPECT_EQ(result.outcome, Outcome::kReject) << result.detail;
  EXPECT_NE(result.detail.find("OVERLAP_B"), std::string::npos) << result.detail;
}

TEST_F(NatsDestinationTest, EventOverTheServersMaxPayloadIsRejected) {
  auto destination = make_nats_destination(nats_test_config("big", "BIG"));
  auto event = testing::numbered_event(1);
  // nats-server's default max_payload is 1 MiB.
  event.record_json = R"({"blob":")" + std::string(2 * 1024 * 1024, 'x') + R"("})";
  const auto result = destination->deliver(event);
  EXPECT_EQ(result.outcome, Outcome::kReject) << result.detail;
  // The connection is fresh again for the next, normal event.
  EXPECT_EQ(destination->deliver(testing::numbered_event(2)).outcome, Outcome::kDelivered);
}

TEST(NatsDestinationNoServer, ConnectionRefusedIsRetry) {
  ConfigErrors errors;
  const auto port = testing::unused_loopback_port();
  boost::json::object object{{"url", "nats://user:pa55word@127.0.0.1:" + std::to_string(port)},
                             {"connectTimeoutMs", 500}};
  auto config = parse_nats_config(object, errors);
  ASSERT_TRUE(config);
  config->allow_private = true;  // loopback
  auto destination = make_nats_destination(*config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_EQ(result.detail.find("pa55word"), std::string::npos) << result.detail;
}

TEST(NatsDestinationNoServer, ServerThatNeverAnswersEndsInRetryAfterTheTimeouts) {
  testing::SilentListener silent;
  ConfigErrors errors;
  boost::json::object object{{"url", "nats://127.0.0.1:" + std::to_string(silent.port())},
                             {"connectTimeoutMs", 300},
                             {"timeoutMs", 300}};
  auto config = parse_nats_config(object, errors);
  ASSERT_TRUE(config);
  config->allow_private = true;  // loopback
  auto destination = make_nats_destination(*config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kRetry) << result.detail;
  EXPECT_FALSE(result.detail.empty());
}

}  // namespace
}  // namespace basalt::brokers
