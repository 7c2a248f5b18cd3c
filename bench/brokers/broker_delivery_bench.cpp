// Events per second each broker connector delivers on loopback (bench/README.md,
// "bench_broker_delivery"): starts each broker with scripts/*-test-server.sh, delivers
// BENCH_BROKER_EVENTS (default 2000) events through the connector one at a time (each waits
// for its acknowledgement), then as many again in pipelines of the connector's max_in_flight
// (deliver_many: the messages sent, then their acknowledgements read, as the outbox dispatcher
// does), and prints one JSON line per broker and mode; latency is per call.
// The brokers run as the test scripts configure them: Redis with appendfsync always, JetStream
// file storage, RabbitMQ with one durable queue bound.
#include "basalt/brokers/broker_destination.hpp"
#include "basalt/brokers/testing/broker_process.hpp"
#include "basalt/brokers/testing/test_events.hpp"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <fmt/format.h>
#include <boost/json/object.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

using basalt::brokers::testing::BrokerProcess;
using basalt::brokers::testing::numbered_event;
using Clock = std::chrono::steady_clock;

amqp_bytes_t amqp_name(const char* text) {
  return amqp_cstring_bytes(text);
}

// RabbitMQ confirms a persistent message only once every queue it was routed to has it on
// disk; without a queue the message is dropped and confirmed at once. So the measurement binds
// a durable queue to the exchange first, as a real deployment would.
bool bind_rabbitmq_queue(std::uint16_t port) {
  amqp_connection_state_t connection = amqp_new_connection();
  amqp_socket_t* socket = amqp_tcp_socket_new(connection);
  bool ok = amqp_socket_open(socket, "127.0.0.1", port) == AMQP_STATUS_OK &&
            amqp_login(connection, "/", 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest")
                    .reply_type == AMQP_RESPONSE_NORMAL;
  if (ok) {
    amqp_channel_open(connection, 1);
    amqp_exchange_declare(connection, 1, amqp_name("basalt"), amqp_name("topic"), 0, 1, 0, 0,
                          amqp_empty_table);
    amqp_queue_declare(connection, 1, amqp_name("bench"), 0, 1, 0, 0, amqp_empty_table);
    amqp_queue_bind(connection, 1, amqp_name("bench"), amqp_name("basalt"), amqp_name("#"),
                    amqp_empty_table);
    ok = amqp_get_rpc_reply(connection).reply_type == AMQP_RESPONSE_NORMAL;
    amqp_connection_close(connection, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(connection);
  return ok;
}

int bench_one(const std::string& kind, int events) {
  BrokerProcess broker(kind);
  if (kind == "rabbitmq" && !bind_rabbitmq_queue(broker.port())) {
    std::fprintf(stderr, "rabbitmq: cannot bind the bench queue\n");
    return 1;
  }
  boost::json::object config{{"url", broker.url()}};
  auto destination = basalt::brokers::make_broker_destination(
      kind, config, /*allow_private=*/true);  // loopback brokers
  if (!destination) return 1;
  // The first delivery connects (and declares the exchange or creates the stream): not timed.
  if (destination->deliver(numbered_event(0)).outcome !=
      basalt::events::DeliveryResult::Outcome::kDelivered) {
    std::fprintf(stderr, "%s: first delivery failed\n", kind.c_str());
    return 1;
  }
  const std::size_t in_flight = destination->max_in_flight();
  int offset = 0;  // each mode's events have ids of their own
  for (const std::size_t per_call : {std::size_t{1}, in_flight}) {
    std::vector<basalt::events::OutboxEvent> batch;
    std::vector<const basalt::events::OutboxEvent*> pointers;
    std::vector<double> latencies_us;
    const auto started = Clock::now();
    for (int n = 1; n <= events;) {
      batch.clear();
      for (; n <= events && batch.size() < per_call; ++n)
        batch.push_back(numbered_event(offset + n));
      pointers.clear();
      for (const auto& event : batch) pointers.push_back(&event);
      const auto before = Clock::now();
      const auto results = destination->deliver_many(pointers, {});
      latencies_us.push_back(
          std::chrono::duration<double, std::micro>(Clock::now() - before).count());
      const bool all =
          results.size() == batch.size() &&
          std::all_of(results.begin(), results.end(), [](const auto& result) {
            return result.outcome == basalt::events::DeliveryResult::Outcome::kDelivered;
          });
      if (!all) {
        std::fprintf(stderr, "%s: a call before event %d failed: %s\n", kind.c_str(), n,
                     results.empty() ? "no result" : results.back().detail.c_str());
        return 1;
      }
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    std::sort(latencies_us.begin(), latencies_us.end());
    auto percentile = [&](double p) {
      return latencies_us[static_cast<std::size_t>(p *
                                                   static_cast<double>(latencies_us.size() - 1))];
    };
    std::printf("%s\n",
                fmt::format(R"({{"broker":"{}","in_flight":{},"events":{},"seconds":{:.3f},)"
                            R"("events_per_s":{:.0f},"call_p50_us":{:.0f},"call_p99_us":{:.0f}}})",
                            kind, per_call, events, seconds, events / seconds, percentile(0.5),
                            percentile(0.99))
                    .c_str());
    if (in_flight == 1) break;  // no pipeline: the one mode is all there is
    offset += events;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const char* env_events = std::getenv("BENCH_BROKER_EVENTS");
  const int events = env_events != nullptr ? std::max(1, std::atoi(env_events)) : 2000;
  std::vector<std::string> kinds = {"redis", "nats", "rabbitmq"};
  if (argc > 1) kinds.assign(argv + 1, argv + argc);
  int failures = 0;
  for (const auto& kind : kinds) failures += bench_one(kind, events);
  return failures == 0 ? 0 : 1;
}
