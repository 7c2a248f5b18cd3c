// Thread ownership: a RabbitMqDestination is used by one dispatcher thread at a time
// (events/destination.hpp); librabbitmq's connection state is not thread-safe and is touched
// only from deliver() and the destructor.
//
// Invariants:
//   1. `connection_` is either null or logged in with channel 1 open in confirm mode, and
//      `next_delivery_tag_` is the tag the broker will give the next publish on it.
//   2. After any failure the connection is destroyed; the next deliver() connects again.
//   3. Every blocking call is bounded: the TCP connect by connect_timeout, the handshake and
//      each RPC by timeout (librabbitmq's handshake and rpc timeouts), a pipeline's publishes
//      by timeout (send_watchdog.hpp: librabbitmq has none for them), the wait for its
//      confirms by timeout (from its last publish).
//   4. A pipeline (deliver_many) publishes at most max_in_flight messages, then reads their
//      confirms; it returns only once each is answered or the connection is gone, so no
//      confirm of one call is left for the next to read.
#include "basalt/brokers/rabbitmq_destination.hpp"

#include "basalt/brokers/connector_support.hpp"
#include "basalt/brokers/delivery_result.hpp"
#include "basalt/brokers/event_envelope.hpp"
#include "basalt/brokers/event_template.hpp"
#include "basalt/brokers/host_resolver.hpp"
#include "basalt/brokers/send_watchdog.hpp"
#include "basalt/core/span_scope.hpp"

#include <amqp.h>
#include <amqp_framing.h>
#include <amqp_tcp_socket.h>
#include <fmt/format.h>
#include <sys/time.h>

#include <array>
#include <optional>
#include <span>
#include <vector>

namespace basalt::brokers {
namespace {

using Outcome = events::DeliveryResult::Outcome;
using Clock = std::chrono::steady_clock;

constexpr amqp_channel_t kChannel = 1;
constexpr int kFrameMax = 131072;

amqp_bytes_t bytes_of(std::string_view text) {
  return amqp_bytes_t{text.size(), const_cast<char*>(text.data())};
}

std::string text_of(amqp_bytes_t bytes) {
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

// A failure with the outcome it implies. AMQP reply codes 403 (access refused), 404 (no such
// exchange), 406 (precondition failed: the exchange exists with another type) and 530 (not
// allowed: e.g. an unknown vhost) do not heal by retrying the same configuration.
using Failure = ConnectorFailure;

Outcome outcome_for_reply_code(int code) {
  return code == 403 || code == 404 || code == 406 || code == 530 ? Outcome::kReject
                                                                  : Outcome::kRetry;
}

Failure failure_from_reply(const amqp_rpc_reply_t& reply, std::string_view what) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return {Outcome::kRetry, fmt::format("{}: ok", what)};
    case AMQP_RESPONSE_NONE:
      return {Outcome::kRetry, fmt::format("{}: no reply from the broker", what)};
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return {Outcome::kRetry,
              fmt::format("{}: {}", what, amqp_error_string2(reply.library_error))};
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      break;
  }
  if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_connection_close_t*>(reply.reply.decoded);
    return {outcome_for_reply_code(close->reply_code),
            fmt::format("{}: connection closed by the broker: {} {}", what, close->reply_code,
                        text_of(close->reply_text))};
  }
  if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* close = static_cast<const amqp_channel_close_t*>(reply.reply.decoded);
    return {outcome_for_reply_code(close->reply_code),
            fmt::format("{}: channel closed by the broker: {} {}", what, close->reply_code,
                        text_of(close->reply_text))};
  }
  return {Outcome::kRetry, fmt::format("{}: unexpected broker method {:#x}", what,
                                       static_cast<unsigned>(reply.reply.id))};
}

class RabbitMqDestination final : public events::Destination {
 public:
  explicit RabbitMqDestination(RabbitMqConfig config) : config_(std::move(config)) {}
  ~RabbitMqDestination() override { disconnect(true); }

  RabbitMqDestination(const RabbitMqDestination&) = delete;
  RabbitMqDestination& operator=(const RabbitMqDestination&) = delete;

  std::size_t max_in_flight() const noexcept override { return config_.max_in_flight; }

  events::DeliveryResult deliver(const events::OutboxEvent& event) override {
    const events::OutboxEvent* one[] = {&event};
    return deliver_many(one, {}).front();
  }

  // Publishes every event, then reads the confirms (invariant 4 of events::Destination).
  std::vector<events::DeliveryResult> deliver_many(
      std::span<const events::OutboxEvent* const> events,
      const events::BeforeSend& before_send) override {
    const auto started = Clock::now();
    // An event whose routing key is too long ends the pipeline before it: it is rejected once
    // the ones before it are answered.
    std::vector<std::string> keys;
    keys.reserve(events.size());
    for (const events::OutboxEvent* event : events) {
      auto key = expand_event_template(config_.routing_key, *event);
      if (key.size() > kMaxNameLength) break;
      keys.push_back(std::move(key));
    }
    const auto sendable = events.first(keys.size());
    std::vector<events::DeliveryResult> results;
    if (!sendable.empty()) {
      const bool reused = connection_ != nullptr;
      Pipeline pipeline = attempt(sendable, keys, before_send, 0);
      if (pipeline.answers.empty() && pipeline.failure && pipeline.failure->connection_lost &&
          reused) {
        pipeline = attempt(sendable, keys, before_send, 0);  // a kept connection that had died
      }
      const std::size_t answered = pipeline.answers.size();
      if (pipeline.failure && pipeline.closed_by_broker && sendable.size() - answered > 1) {
        // A close names no message: a routing key the user may not publish to (403) or a
        // message over the broker's size limit (406) closes the channel at that message, and
        // the ones before it are never confirmed. So the first unanswered one is sent again
        // alone, on a fresh connection, to get an answer of its own; the rest have none.
        add_results(pipeline, 0, keys, started, /*with_failure=*/false, results);
        const std::span<const std::string> key{&keys[answered], 1};
        const Pipeline alone = attempt(sendable.subspan(answered, 1), key, before_send, answered);
        add_results(alone, answered, keys, started, /*with_failure=*/true, results);
        return results;
      }
      add_results(pipeline, 0, keys, started, /*with_failure=*/true, results);
      if (pipeline.failure) return results;
    }
    if (sendable.size() < events.size()) {
      results.push_back(delivery_result(Outcome::kReject, started,
                                        "routing key longer than 255 bytes for this event"));
    }
    return results;
  }

 private:
  // The broker's answer to one publish: basic.ack or basic.nack, and when it came.
  struct Answer {
    bool acked = false;
    Clock::time_point at;
  };
  // One try of a pipeline: the answers of a prefix of its events, in order, and why the next
  // one has none (the connection is gone then).
  struct Pipeline {
    std::vector<Answer> answers;
    std::optional<Failure> failure;
    bool closed_by_broker = false;  // the failure is a channel.close or connection.close
  };

  // The results of `pipeline`, whose first event is `offset` of the call: one per answer, then
  // (`with_failure`) the failure as the next event's.
  void add_results(const Pipeline& pipeline, std::size_t offset, std::span<const std::string> keys,
                   Clock::time_point started, bool with_failure,
                   std::vector<events::DeliveryResult>& results) const {
    for (std::size_t i = 0; i < pipeline.answers.size(); ++i) {
      const Answer& answer = pipeline.answers[i];
      events::DeliveryResult result =
          answer.acked
              ? delivery_result(
                    Outcome::kDelivered, started,
                    fmt::format("confirmed by {} (exchange '{}', routing key '{}')",
                                config_.url.redacted(), config_.exchange, keys[offset + i]))
              : delivery_result(Outcome::kRetry, started,
                                "the broker nacked the message (basic.nack)");
      result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(answer.at - started);
      results.push_back(std::move(result));
    }
    if (with_failure && pipeline.failure) {
      results.push_back(
          delivery_result(pipeline.failure->outcome, started, pipeline.failure->detail));
    }
  }

  std::optional<Failure> connect() {
    auto resolved =
        resolve_broker_host(config_.url.host, config_.connect_timeout, config_.allow_private);
    if (auto* failure = std::get_if<Failure>(&resolved)) return std::move(*failure);
    // Each address in turn until one accepts (a fresh connection state for each try).
    int opened = AMQP_STATUS_SOCKET_ERROR;
    for (const std::string& address : std::get<std::vector<std::string>>(resolved)) {
      if (connection_ != nullptr) amqp_destroy_connection(connection_);
      connection_ = amqp_new_connection();
      if (connection_ == nullptr) return Failure{Outcome::kRetry, "out of memory"};
      amqp_socket_t* socket = amqp_tcp_socket_new(connection_);
      if (socket == nullptr) return Failure{Outcome::kRetry, "cannot create a TCP socket"};
      timeval connect_tv = timeval_of(config_.connect_timeout);
      opened = amqp_socket_open_noblock(socket, address.c_str(), config_.url.port, &connect_tv);
      if (opened == AMQP_STATUS_OK) break;
    }
    if (opened != AMQP_STATUS_OK) {
      return Failure{Outcome::kRetry, fmt::format("connect to {}: {}", config_.url.redacted(),
                                                  amqp_error_string2(opened))};
    }
    timeval rpc_tv = timeval_of(config_.timeout);
    amqp_set_handshake_timeout(connection_, &rpc_tv);
    amqp_set_rpc_timeout(connection_, &rpc_tv);

    const auto login =
        amqp_login(connection_, config_.vhost.c_str(), 0, kFrameMax, 0, AMQP_SASL_METHOD_PLAIN,
                   config_.url.user.c_str(), config_.url.password.c_str());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) {
      auto failure = failure_from_reply(login, "login");
      // RabbitMQ answers a refused login by closing the socket (a library error), so
      // "access refused" is not always visible; it stays a retry then.
      return failure;
    }
    amqp_channel_open(connection_, kChannel);
    if (auto reply = amqp_get_rpc_reply(connection_); reply.reply_type != AMQP_RESPONSE_NORMAL) {
      return failure_from_reply(reply, "channel.open");
    }
    if (config_.declare_exchange) {
      amqp_exchange_declare(connection_, kChannel, bytes_of(config_.exchange), bytes_of("topic"),
                            /*passive=*/0, /*durable=*/1, /*auto_delete=*/0, /*internal=*/0,
                            amqp_empty_table);
      if (auto reply = amqp_get_rpc_reply(connection_); reply.reply_type != AMQP_RESPONSE_NORMAL) {
        return failure_from_reply(reply, fmt::format("declare exchange '{}'", config_.exchange));
      }
    }
    amqp_confirm_select(connection_, kChannel);
    if (auto reply = amqp_get_rpc_reply(connection_); reply.reply_type != AMQP_RESPONSE_NORMAL) {
      return failure_from_reply(reply, "confirm.select");
    }
    next_delivery_tag_ = 1;
    healthy_ = true;
    return std::nullopt;
  }

  // One try: connect if needed, publish every event, await their confirms; after a failure
  // the connection is gone (invariant 2).
  // `offset`: the index of events[0] in the deliver_many() call (what before_send is told).
  Pipeline attempt(std::span<const events::OutboxEvent* const> events,
                   std::span<const std::string> keys, const events::BeforeSend& before_send,
                   std::size_t offset) {
    Pipeline pipeline;
    if (connection_ == nullptr) {
      if (auto failure = connect()) {
        disconnect(false);
        pipeline.failure = std::move(failure);
        return pipeline;
      }
    }
    const std::uint64_t first_tag = next_delivery_tag_;
    {
      // librabbitmq writes a publish with no timeout: a broker that stops reading (a resource
      // alarm blocks publishers) is cut off at the deadline instead (send_watchdog.hpp). The
      // watch ends before the connection (and its socket) can be closed.
      // Each publish gets the whole timeout (a slow link taking a long pipeline is not a broker
      // that stopped reading).
      SendWatch watch(amqp_get_sockfd(connection_), Clock::now() + config_.timeout);
      for (std::size_t i = 0; i < events.size() && !pipeline.failure; ++i) {
        if (before_send) before_send(offset + i);
        watch.extend(Clock::now() + config_.timeout);
        pipeline.failure = publish(*events[i], keys[i]);
      }
      if (pipeline.failure && watch.fired()) {
        pipeline.failure->detail = fmt::format(
            "the broker took no more of a message within {} ms (a resource alarm blocks "
            "publishers?)",
            config_.timeout.count());
        pipeline.failure->connection_lost = false;  // a fresh connection would block the same
      }
    }
    if (pipeline.failure) {
      // Confirms of the ones before are not read from a broken socket: they are sent again.
      disconnect(false);
      return pipeline;
    }
    std::vector<std::optional<Answer>> answers(events.size());
    pipeline.failure = await_confirms(first_tag, answers, pipeline.closed_by_broker);
    for (const std::optional<Answer>& answer : answers) {
      if (!answer) break;  // unanswered: it and every later one are sent again
      pipeline.answers.push_back(*answer);
    }
    if (pipeline.failure) disconnect(false);
    return pipeline;
  }

  std::optional<Failure> publish(const events::OutboxEvent& event, const std::string& routing_key) {
    const std::string body = build_event_envelope(event);
    const std::string type = "record." + event.action;
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                   AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TYPE_FLAG | AMQP_BASIC_APP_ID_FLAG;
    props.content_type = bytes_of("application/json");
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    props.message_id = bytes_of(event.event_id);
    props.type = bytes_of(type);
    props.app_id = bytes_of("basalt");
    // The delivery span's W3C context as message headers, when traced (docs/brokers.md).
    const core::TraceContextValues trace = core::outgoing_trace_context();
    std::array<amqp_table_entry_t, 2> trace_headers{};
    int trace_header_count = 0;
    auto add_trace_header = [&](const char* name, const std::string& value) {
      amqp_table_entry_t& entry = trace_headers[trace_header_count++];
      entry.key = amqp_cstring_bytes(name);
      entry.value.kind = AMQP_FIELD_KIND_UTF8;
      entry.value.value.bytes = bytes_of(value);
    };
    if (!trace.traceparent.empty()) {
      add_trace_header("traceparent", trace.traceparent);
      if (!trace.tracestate.empty()) add_trace_header("tracestate", trace.tracestate);
      props._flags |= AMQP_BASIC_HEADERS_FLAG;
      props.headers.num_entries = trace_header_count;
      props.headers.entries = trace_headers.data();
    }

    const int published =
        amqp_basic_publish(connection_, kChannel, bytes_of(config_.exchange), bytes_of(routing_key),
                           /*mandatory=*/0, /*immediate=*/0, &props, bytes_of(body));
    if (published != AMQP_STATUS_OK) {
      healthy_ = false;
      return Failure{Outcome::kRetry, fmt::format("publish: {}", amqp_error_string2(published)),
                     /*connection_lost=*/true};
    }
    ++next_delivery_tag_;
    return std::nullopt;
  }

  // Reads frames until the broker has answered every publish from `first_tag` on (basic.ack
  // or basic.nack, of one tag or, `multiple`, of every tag up to it; in any order), closes the
  // channel or connection, or the timeout passes; `answers[i]` is tag first_tag + i's answer.
  std::optional<Failure> await_confirms(std::uint64_t first_tag,
                                        std::vector<std::optional<Answer>>& answers,
                                        bool& closed_by_broker) {
    const auto deadline = Clock::now() + config_.timeout;
    std::size_t answered = 0;
    auto answer = [&](std::uint64_t tag, bool multiple, bool acked) {
      if (tag < first_tag) return;  // not of this pipeline
      const std::uint64_t last = std::min<std::uint64_t>(tag - first_tag, answers.size() - 1);
      const std::uint64_t from = multiple ? 0 : tag - first_tag;
      if (from > last) return;
      const auto now = Clock::now();
      for (std::uint64_t i = from; i <= last; ++i) {
        if (answers[i]) continue;
        answers[i] = Answer{acked, now};
        ++answered;
      }
    };
    while (answered < answers.size()) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        healthy_ = false;
        return Failure{Outcome::kRetry,
                       fmt::format("no publisher confirm within {} ms", config_.timeout.count())};
      }
      amqp_maybe_release_buffers(connection_);
      amqp_frame_t frame{};
      timeval tv = timeval_of(left);
      const int status = amqp_simple_wait_frame_noblock(connection_, &frame, &tv);
      if (status == AMQP_STATUS_TIMEOUT) continue;  // the deadline check above ends it
      if (status != AMQP_STATUS_OK) {
        healthy_ = false;
        return Failure{Outcome::kRetry,
                       fmt::format("waiting for the confirm: {}", amqp_error_string2(status)),
                       /*connection_lost=*/true};
      }
      if (frame.frame_type != AMQP_FRAME_METHOD) continue;  // content of a basic.return
      switch (frame.payload.method.id) {
        case AMQP_BASIC_ACK_METHOD: {
          const auto* ack = static_cast<const amqp_basic_ack_t*>(frame.payload.method.decoded);
          answer(ack->delivery_tag, ack->multiple != 0, true);
          break;
        }
        case AMQP_BASIC_NACK_METHOD: {
          const auto* nack = static_cast<const amqp_basic_nack_t*>(frame.payload.method.decoded);
          answer(nack->delivery_tag, nack->multiple != 0, false);
          break;
        }
        case AMQP_CHANNEL_CLOSE_METHOD: {
          healthy_ = false;
          closed_by_broker = true;
          const auto* close =
              static_cast<const amqp_channel_close_t*>(frame.payload.method.decoded);
          return Failure{outcome_for_reply_code(close->reply_code),
                         fmt::format("channel closed by the broker: {} {}", close->reply_code,
                                     text_of(close->reply_text))};
        }
        case AMQP_CONNECTION_CLOSE_METHOD: {
          healthy_ = false;
          closed_by_broker = true;
          const auto* close =
              static_cast<const amqp_connection_close_t*>(frame.payload.method.decoded);
          // 320 CONNECTION_FORCED: the broker is shutting down or an operator closed it.
          return Failure{outcome_for_reply_code(close->reply_code),
                         fmt::format("connection closed by the broker: {} {}", close->reply_code,
                                     text_of(close->reply_text)),
                         close->reply_code == 320};
        }
        default:
          break;  // basic.return and others: not an answer to a publish
      }
    }
    return std::nullopt;
  }

  // Closes politely only when the connection is known good (a close on a dead socket would
  // wait for the RPC timeout); always frees it.
  void disconnect(bool polite) {
    if (connection_ == nullptr) return;
    if (polite && healthy_) {
      amqp_channel_close(connection_, kChannel, AMQP_REPLY_SUCCESS);
      amqp_connection_close(connection_, AMQP_REPLY_SUCCESS);
    }
    amqp_destroy_connection(connection_);
    connection_ = nullptr;
    healthy_ = false;
  }

  RabbitMqConfig config_;
  amqp_connection_state_t connection_ = nullptr;
  bool healthy_ = false;
  std::uint64_t next_delivery_tag_ = 1;
};

}  // namespace

std::unique_ptr<events::Destination> make_rabbitmq_destination(RabbitMqConfig config) {
  return std::make_unique<RabbitMqDestination>(std::move(config));
}

}  // namespace basalt::brokers
