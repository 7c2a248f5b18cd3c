// RabbitMQ connector against a real rabbitmq-server on loopback, read back with librabbitmq
// (basic.get from a durable queue bound to the exchange).
#include "basalt/brokers/rabbitmq_destination.hpp"

#include "basalt/brokers/testing/broker_process.hpp"
#include "basalt/brokers/testing/test_events.hpp"
#include "basalt/core/span_scope.hpp"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <map>
#include <optional>
#include <set>
#include <vector>

namespace basalt::brokers {
namespace {

using Outcome = events::DeliveryResult::Outcome;

struct ReceivedAmqpMessage {
  std::string routing_key;
  std::string message_id;
  std::string content_type;
  int delivery_mode = 0;
  std::map<std::string, std::string> headers;  // the string-valued message headers
  std::string body;
};

amqp_bytes_t amqp_text(const std::string& text) {
  return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};
}

std::string amqp_string(amqp_bytes_t bytes) {
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

// The test's own AMQP connection (guest on loopback): declares exchanges and queues and reads
// messages back.
class AmqpTestClient {
 public:
  explicit AmqpTestClient(std::uint16_t port) {
    connection_ = amqp_new_connection();
    auto* socket = amqp_tcp_socket_new(connection_);
    if (amqp_socket_open(socket, "127.0.0.1", port) != AMQP_STATUS_OK) {
      throw std::runtime_error("amqp connect");
    }
    expect_ok(amqp_login(connection_, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"));
    amqp_channel_open(connection_, 1);
    expect_ok(amqp_get_rpc_reply(connection_));
  }
  ~AmqpTestClient() {
    amqp_channel_close(connection_, 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(connection_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(connection_);
  }

  void declare_exchange(const std::string& name, const std::string& type) {
    amqp_exchange_declare(connection_, 1, amqp_text(name), amqp_text(type), 0, 1, 0, 0,
                          amqp_empty_table);
    expect_ok(amqp_get_rpc_reply(connection_));
  }

  // A durable queue bound to `exchange` with `binding`, so messages survive a broker crash.
  void bind_queue(const std::string& queue, const std::string& exchange,
                  const std::string& binding) {
    amqp_queue_declare(connection_, 1, amqp_text(queue), 0, 1, 0, 0, amqp_empty_table);
    expect_ok(amqp_get_rpc_reply(connection_));
    amqp_queue_bind(connection_, 1, amqp_text(queue), amqp_text(exchange), amqp_text(binding),
                    amqp_empty_table);
    expect_ok(amqp_get_rpc_reply(connection_));
  }

  // A durable queue that holds at most one message and refuses more (x-overflow
  // reject-publish): RabbitMQ answers a publish it cannot enqueue with basic.nack.
  void bind_full_after_one_queue(const std::string& queue, const std::string& exchange) {
    amqp_table_entry_t entries[2];
    entries[0].key = amqp_cstring_bytes("x-max-length");
    entries[0].value.kind = AMQP_FIELD_KIND_I32;
    entries[0].value.value.i32 = 1;
    entries[1].key = amqp_cstring_bytes("x-overflow");
    entries[1].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[1].value.value.bytes = amqp_cstring_bytes("reject-publish");
    amqp_table_t arguments{2, entries};
    amqp_queue_declare(connection_, 1, amqp_text(queue), 0, 1, 0, 0, arguments);
    expect_ok(amqp_get_rpc_reply(connection_));
    amqp_queue_bind(connection_, 1, amqp_text(queue), amqp_text(exchange), amqp_text("#"),
                    amqp_empty_table);
    expect_ok(amqp_get_rpc_reply(connection_));
  }

  std::vector<ReceivedAmqpMessage> drain(const std::string& queue) {
    std::vector<ReceivedAmqpMessage> messages;
    for (;;) {
      amqp_maybe_release_buffers(connection_);
      const auto reply = amqp_basic_get(connection_, 1, amqp_text(queue), /*no_ack=*/1);
      expect_ok(reply);
      if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return messages;
      const auto* get_ok = static_cast<const amqp_basic_get_ok_t*>(reply.reply.decoded);
      ReceivedAmqpMessage out;
      out.routing_key = amqp_string(get_ok->routing_key);
      amqp_message_t message;
      expect_ok(amqp_read_message(connection_, 1, &message, 0));
      const auto& props = message.properties;
      if (props._flags & AMQP_BASIC_MESSAGE_ID_FLAG) out.message_id = amqp_string(props.message_id);
      if (props._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) {
        out.content_type = amqp_string(props.content_type);
      }
      if (props._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) out.delivery_mode = props.delivery_mode;
      if (props._flags & AMQP_BASIC_HEADERS_FLAG) {
        for (int i = 0; i < props.headers.num_entries; ++i) {
          const amqp_table_entry_t& entry = props.headers.entries[i];
          if (entry.value.kind == AMQP_FIELD_KIND_UTF8) {
            out.headers[amqp_string(entry.key)] = amqp_string(entry.value.value.bytes);
          }
        }
      }
      out.body = amqp_string(message.body);
      amqp_destroy_message(&message);
      messages.push_back(std::move(out));
    }
  }

 private:
  static void expect_ok(const amqp_rpc_reply_t& reply) {
    if (reply.reply_type != AMQP_RESPONSE_NORMAL) throw std::runtime_error("amqp rpc failed");
  }

  amqp_connection_state_t connection_ = nullptr;
};

class RabbitMqDestinationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = new testing::BrokerProcess("rabbitmq"); }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  static RabbitMqConfig rabbit_test_config(std::string exchange) {
    ConfigErrors errors;
    boost::json::object object{{"url", broker_->url()},
                               {"exchange", std::move(exchange)},
                               {"connectTimeoutMs", 2000},
                               {"timeoutMs", 5000}};
    auto config = parse_rabbitmq_config(object, errors);
    if (!config) throw std::runtime_error("bad test config");
    config->allow_private = true;  // the test broker is on loopback
    return *config;
  }

  static testing::BrokerProcess* broker_;
};

testing::BrokerProcess* RabbitMqDestinationTest::broker_ = nullptr;

TEST_F(RabbitMqDestinationTest, PublishesConfirmedPersistentMessagesInOrder) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("order", "topic");
  client.bind_queue("order-all", "order", "#");
  client.bind_queue("order-comments", "order", "comments.*");
  auto destination = make_rabbitmq_destination(rabbit_test_config("order"));
  constexpr int kEvents = 30;
  auto event_for = [](int n) {
    return testing::numbered_event(n, n % 3 ? "posts" : "comments", n % 2 ? "create" : "update");
  };
  for (int n = 1; n <= kEvents; ++n) {
    const auto result = destination->deliver(event_for(n));
    ASSERT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  }
  const auto messages = client.drain("order-all");
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kEvents));
  for (int n = 1; n <= kEvents; ++n) {
    const auto expected = event_for(n);
    const auto& message = messages[n - 1];
    EXPECT_EQ(message.routing_key, expected.collection_name + "." + expected.action);
    EXPECT_EQ(message.message_id, expected.event_id);
    EXPECT_EQ(message.content_type, "application/json");
    EXPECT_EQ(message.delivery_mode, 2);
    const auto envelope = boost::json::parse(message.body).as_object();
    EXPECT_EQ(envelope.at("id").as_string(), expected.event_id);
    EXPECT_EQ(envelope.at("type").as_string(), "record." + expected.action);
    EXPECT_EQ(envelope.at("data").at("record"), boost::json::parse(expected.record_json));
  }
  // The routing key routes: only comments reached the second queue.
  EXPECT_EQ(client.drain("order-comments").size(), static_cast<std::size_t>(kEvents / 3));
}

TEST_F(RabbitMqDestinationTest, ATracedDeliveryCarriesItsTraceContextAsMessageHeaders) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("traced", "topic");
  client.bind_queue("traced-all", "traced", "#");
  auto destination = make_rabbitmq_destination(rabbit_test_config("traced"));
  ASSERT_EQ(destination->deliver(testing::numbered_event(1, "posts", "create")).outcome,
            Outcome::kDelivered);  // no span current: no headers
  core::SpanCell cell{core::ActiveSpan{core::random_trace_id(), core::random_span_id(), nullptr},
                      "vendor=v1"};
  const std::string traceparent = [&] {
    core::CellInstall install(&cell);
    const auto result = destination->deliver(testing::numbered_event(2, "posts", "create"));
    EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
    return core::outgoing_trace_context().traceparent;
  }();
  const auto messages = client.drain("traced-all");
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_TRUE(messages[0].headers.empty());
  EXPECT_EQ(messages[1].headers.at("traceparent"), traceparent);
  EXPECT_EQ(messages[1].headers.at("tracestate"), "vendor=v1");
  EXPECT_EQ(messages[1].message_id, testing::numbered_event(2, "posts", "create").event_id);
}

// deliver_many: every message published before the confirms are read, each with the trace
// context current when BeforeSend named it, confirmed in order.
TEST_F(RabbitMqDestinationTest, APipelineIsPublishedInOrderAndEachMessageCarriesItsOwnTrace) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("piped", "topic");
  client.bind_queue("piped-all", "piped", "#");
  auto destination = make_rabbitmq_destination(rabbit_test_config("piped"));
  ASSERT_EQ(destination->max_in_flight(), 64u);  // the default maxInFlight
  constexpr int kEvents = 50;
  std::vector<events::OutboxEvent> events;
  for (int n = 1; n <= kEvents; ++n) events.push_back(testing::numbered_event(n));
  const auto [results, traceparents] = testing::deliver_traced_pipeline(*destination, events);
  ASSERT_EQ(results.size(), static_cast<std::size_t>(kEvents));
  for (const auto& result : results) {
    EXPECT_EQ(result.outcome, Outcome::kDelivered) << result.detail;
  }
  const auto messages = client.drain("piped-all");
  ASSERT_EQ(messages.size(), static_cast<std::size_t>(kEvents));
  ASSERT_EQ(traceparents.size(), static_cast<std::size_t>(kEvents));
  for (int n = 1; n <= kEvents; ++n) {
    EXPECT_EQ(messages[n - 1].message_id, events[n - 1].event_id);
    EXPECT_EQ(messages[n - 1].headers.at("traceparent"), traceparents[n - 1]);
  }
}

// A nack answers one message: the ones before it are delivered, and so is every answer after
// it reported (the dispatcher stops at the first refused one and sends the rest again).
TEST_F(RabbitMqDestinationTest, ANackInAPipelineIsThatMessagesAnswerOnly) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("bounded-piped", "topic");
  client.bind_full_after_one_queue("bounded-piped-q", "bounded-piped");
  auto destination = make_rabbitmq_destination(rabbit_test_config("bounded-piped"));
  const auto first = testing::numbered_event(1), second = testing::numbered_event(2),
             third = testing::numbered_event(3);
  const events::OutboxEvent* pipeline[] = {&first, &second, &third};
  const auto results = destination->deliver_many(pipeline, {});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, Outcome::kDelivered) << results[0].detail;
  EXPECT_EQ(results[1].outcome, Outcome::kRetry);
  EXPECT_NE(results[1].detail.find("nack"), std::string::npos) << results[1].detail;
  EXPECT_EQ(results[2].outcome, Outcome::kRetry);
  const auto held = client.drain("bounded-piped-q");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].message_id, first.event_id);
  // The connection stays usable: the refused event, offered again, is confirmed.
  const auto again = destination->deliver(second);
  EXPECT_EQ(again.outcome, Outcome::kDelivered) << again.detail;
}

// RabbitMQ closes the channel on the one message it refuses (here: over max_message_size, 406),
// leaving the messages before it unconfirmed. The refusal must land on that message, not on
// the first unconfirmed one: delivered the way the dispatcher does (each call on what is left
// after the results it returned), only the oversized event is rejected.
TEST_F(RabbitMqDestinationTest, AChannelClosedOnOneMessageRejectsThatMessageOnly) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("sized", "topic");
  client.bind_queue("sized-all", "sized", "#");
  broker_->rabbitmqctl("eval 'application:set_env(rabbit, max_message_size, 4096).'");
  struct Restore {
    ~Restore() {
      broker_->rabbitmqctl("eval 'application:set_env(rabbit, max_message_size, 134217728).'");
    }
  } restore;
  auto destination = make_rabbitmq_destination(rabbit_test_config("sized"));
  std::vector<events::OutboxEvent> events;
  for (int n = 1; n <= 4; ++n) events.push_back(testing::numbered_event(n));
  events[1].record_json = R"({"id":"big","text":")" + std::string(8192, 'x') + R"("})";
  auto left = testing::pointers_of(events);
  std::map<std::int64_t, Outcome> outcomes;
  for (int calls = 0; !left.empty() && calls < 10; ++calls) {
    const auto results = destination->deliver_many(left, {});
    ASSERT_FALSE(results.empty());
    for (std::size_t k = 0; k < results.size(); ++k) {
      outcomes[left[k]->sequence] = results[k].outcome;
      if (results[k].outcome == Outcome::kReject) {
        EXPECT_NE(results[k].detail.find("406"), std::string::npos) << results[k].detail;
      }
    }
    left.erase(left.begin(), left.begin() + static_cast<std::ptrdiff_t>(results.size()));
  }
  ASSERT_TRUE(left.empty());
  EXPECT_EQ(outcomes, (std::map<std::int64_t, Outcome>{{1, Outcome::kDelivered},
                                                       {2, Outcome::kReject},
                                                       {3, Outcome::kDelivered},
                                                       {4, Outcome::kDelivered}}));
  std::set<std::string> stored;  // event 1 may be stored twice (unconfirmed, then sent again)
  for (const auto& message : client.drain("sized-all")) stored.insert(message.message_id);
  EXPECT_EQ(stored,
            (std::set<std::string>{events[0].event_id, events[2].event_id, events[3].event_id}));
}

// A memory alarm blocks publishing connections: RabbitMQ stops reading them. librabbitmq
// would wait forever for the socket; the pipeline ends at its timeout instead, as a retry, and
// once the alarm clears the same destination delivers again.
TEST_F(RabbitMqDestinationTest, APipelineTheBrokerStopsReadingEndsAtTheTimeout) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("alarmed", "topic");
  client.bind_queue("alarmed-all", "alarmed", "#");
  RabbitMqConfig config = rabbit_test_config("alarmed");
  config.timeout = std::chrono::milliseconds(1000);
  auto destination = make_rabbitmq_destination(config);
  ASSERT_EQ(destination->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  broker_->rabbitmqctl("set_vm_memory_high_watermark 0.000001");
  struct Restore {
    ~Restore() { broker_->rabbitmqctl("set_vm_memory_high_watermark 0.9"); }
  } restore;
  // Until the alarm is raised (a condition, not a delay: bounded by the attempts).
  bool alarmed = false;
  for (int tries = 0; tries < 50 && !alarmed; ++tries) {
    alarmed = broker_->rabbitmqctl("eval 'rabbit_alarm:get_alarms().'").find("memory") !=
              std::string::npos;
  }
  ASSERT_TRUE(alarmed);
  // More than the two sockets' buffers hold: the publishing itself blocks.
  std::vector<events::OutboxEvent> events;
  for (int n = 2; n <= 65; ++n) {
    events.push_back(testing::numbered_event(n));
    events.back().record_json = R"({"id":"big","text":")" + std::string(256 * 1024, 'x') + R"("})";
  }
  const auto pointers = testing::pointers_of(events);
  const auto results = destination->deliver_many(pointers, {});
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(results.back().outcome, Outcome::kRetry);
  EXPECT_NE(results.back().detail.find("within 1000 ms"), std::string::npos)
      << results.back().detail;
  broker_->rabbitmqctl("set_vm_memory_high_watermark 0.9");
  for (int tries = 0; tries < 50 && alarmed; ++tries) {
    alarmed = broker_->rabbitmqctl("eval 'rabbit_alarm:get_alarms().'").find("memory") !=
              std::string::npos;
  }
  ASSERT_FALSE(alarmed);
  // Delivered again once the alarm is gone (tries bounded: the broker may still be busy).
  events::DeliveryResult after;
  for (int tries = 0; tries < 20 && after.outcome != Outcome::kDelivered; ++tries) {
    after = destination->deliver(testing::numbered_event(66));
  }
  EXPECT_EQ(after.outcome, Outcome::kDelivered) << after.detail;
}

TEST_F(RabbitMqDestinationTest, DeclaresItsExchangeWhenAsked) {
  auto destination = make_rabbitmq_destination(rabbit_test_config("declared-here"));
  ASSERT_EQ(destination->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  AmqpTestClient client(broker_->port());
  // Binding fails (404) unless the exchange exists now.
  client.bind_queue("declared-here-q", "declared-here", "#");
  ASSERT_EQ(destination->deliver(testing::numbered_event(2)).outcome, Outcome::kDelivered);
  EXPECT_EQ(client.drain("declared-here-q").size(), 1u);
}

TEST_F(RabbitMqDestinationTest, AHostNameIsResolvedAndCheckedByTheOutboundGuard) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("named", "topic");
  client.bind_queue("named-all", "named", "#");
  RabbitMqConfig config = rabbit_test_config("named");
  config.url.host = "localhost";  // resolves to loopback
  const auto delivered = make_rabbitmq_destination(config)->deliver(testing::numbered_event(1));
  EXPECT_EQ(delivered.outcome, Outcome::kDelivered) << delivered.detail;
  config.allow_private = false;
  const auto refused = make_rabbitmq_destination(config)->deliver(testing::numbered_event(2));
  EXPECT_EQ(refused.outcome, Outcome::kReject);
  EXPECT_NE(refused.detail.find("resolves to a loopback address"), std::string::npos)
      << refused.detail;
  EXPECT_EQ(client.drain("named-all").size(), 1u);
}

TEST_F(RabbitMqDestinationTest, KilledBrokerMeansRetryAndTheRetriedEventsArriveAfterRestart) {
  {
    AmqpTestClient client(broker_->port());
    client.declare_exchange("crash", "topic");
    client.bind_queue("crash-all", "crash", "#");
  }
  auto destination = make_rabbitmq_destination(rabbit_test_config("crash"));
  for (int n = 1; n <= 5; ++n) {
    ASSERT_EQ(destination->deliver(testing::numbered_event(n)).outcome, Outcome::kDelivered);
  }
  // A second destination whose connection sits idle across the crash.
  auto idle = make_rabbitmq_destination(rabbit_test_config("crash-idle"));
  ASSERT_EQ(idle->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  broker_->kill();
  const auto down = destination->deliver(testing::numbered_event(6));
  EXPECT_EQ(down.outcome, Outcome::kRetry) << down.detail;
  const auto still_down = destination->deliver(testing::numbered_event(6));
  EXPECT_EQ(still_down.outcome, Outcome::kRetry) << still_down.detail;
  EXPECT_NE(still_down.detail.find("connect to amqp://127.0.0.1"), std::string::npos)
      << still_down.detail;
  EXPECT_EQ(still_down.detail.find("guest"), std::string::npos) << still_down.detail;
  broker_->restart();
  // Its dead connection is noticed and replaced within the same delivery: no retry needed.
  const auto after_idle = idle->deliver(testing::numbered_event(2));
  EXPECT_EQ(after_idle.outcome, Outcome::kDelivered) << after_idle.detail;
  for (int n = 6; n <= 10; ++n) {
    const auto result = destination->deliver(testing::numbered_event(n));
    ASSERT_EQ(result.outcome, Outcome::kDelivered) << n << ": " << result.detail;
  }
  // Confirmed persistent messages in a durable queue survive the SIGKILL; nothing was confirmed
  // while the broker was down, so nothing is doubled.
  AmqpTestClient client(broker_->port());
  const auto messages = client.drain("crash-all");
  ASSERT_EQ(messages.size(), 10u);
  for (int n = 1; n <= 10; ++n) {
    EXPECT_EQ(messages[n - 1].message_id, testing::numbered_event(n).event_id);
  }
}

TEST_F(RabbitMqDestinationTest, NackedPublishIsRetriedAndSucceedsOnceThereIsRoom) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("bounded", "topic");
  client.bind_full_after_one_queue("bounded-q", "bounded");
  auto destination = make_rabbitmq_destination(rabbit_test_config("bounded"));
  ASSERT_EQ(destination->deliver(testing::numbered_event(1)).outcome, Outcome::kDelivered);
  const auto nacked = destination->deliver(testing::numbered_event(2));
  EXPECT_EQ(nacked.outcome, Outcome::kRetry);
  EXPECT_NE(nacked.detail.find("nack"), std::string::npos) << nacked.detail;
  // A consumer makes room; the same event, offered again, is confirmed.
  const auto first = client.drain("bounded-q");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].message_id, testing::numbered_event(1).event_id);
  const auto again = destination->deliver(testing::numbered_event(2));
  EXPECT_EQ(again.outcome, Outcome::kDelivered) << again.detail;
  const auto second = client.drain("bounded-q");
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].message_id, testing::numbered_event(2).event_id);
}

TEST_F(RabbitMqDestinationTest, ExchangeOfAnotherTypeIsRejected) {
  AmqpTestClient client(broker_->port());
  client.declare_exchange("fanout-one", "fanout");
  auto destination = make_rabbitmq_destination(rabbit_test_config("fanout-one"));
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kReject) << result.detail;
  EXPECT_NE(result.detail.find("406"), std::string::npos) << result.detail;
}

TEST_F(RabbitMqDestinationTest, MissingExchangeIsRejectedWhenNotDeclared) {
  auto config = rabbit_test_config("never-declared");
  config.declare_exchange = false;
  auto destination = make_rabbitmq_destination(config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kReject) << result.detail;
  EXPECT_NE(result.detail.find("404"), std::string::npos) << result.detail;
  // The connector reconnects after the channel error: a good exchange works on the next call.
  AmqpTestClient client(broker_->port());
  client.declare_exchange("never-declared", "topic");
  const auto after = destination->deliver(testing::numbered_event(2));
  EXPECT_EQ(after.outcome, Outcome::kDelivered) << after.detail;
}

TEST_F(RabbitMqDestinationTest, WrongPasswordFailsAndIsNeverEchoed) {
  auto config = rabbit_test_config("auth");
  config.url.password = "hunter2-secret";
  auto destination = make_rabbitmq_destination(config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_NE(result.outcome, Outcome::kDelivered);
  EXPECT_EQ(result.detail.find("hunter2"), std::string::npos) << result.detail;
}

TEST(RabbitMqDestinationNoServer, ConnectionRefusedIsRetry) {
  ConfigErrors errors;
  const auto port = testing::unused_loopback_port();
  boost::json::object object{{"url", "amqp://u:pa55word@127.0.0.1:" + std::to_string(port) + "/"},
                             {"connectTimeoutMs", 500}};
  auto config = parse_rabbitmq_config(object, errors);
  ASSERT_TRUE(config);
  config->allow_private = true;  // loopback
  auto destination = make_rabbitmq_destination(*config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kRetry);
  EXPECT_EQ(result.detail.find("pa55word"), std::string::npos) << result.detail;
}

TEST(RabbitMqDestinationNoServer, ServerThatNeverAnswersEndsInRetryAfterTheTimeouts) {
  testing::SilentListener silent;
  ConfigErrors errors;
  boost::json::object object{{"url", "amqp://127.0.0.1:" + std::to_string(silent.port())},
                             {"connectTimeoutMs", 300},
                             {"timeoutMs", 300}};
  auto config = parse_rabbitmq_config(object, errors);
  ASSERT_TRUE(config);
  config->allow_private = true;  // loopback
  auto destination = make_rabbitmq_destination(*config);
  const auto result = destination->deliver(testing::numbered_event(1));
  EXPECT_EQ(result.outcome, Outcome::kRetry) << result.detail;
  EXPECT_FALSE(result.detail.empty());
}

}  // namespace
}  // namespace basalt::brokers
