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
