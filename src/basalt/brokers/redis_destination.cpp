// Thread ownership: one dispatcher thread at a time calls deliver() (events/destination.hpp);
// the hiredis context is used only from deliver() and the destructor.
//
// Invariants:
//   1. `context_` is null or connected, authenticated and on the configured database.
//   2. After any I/O error or timeout the context is freed; the next deliver() connects again
//      (hiredis cannot resynchronise a connection whose reply was cut).
//   3. Every blocking call is bounded: the connect by connect_timeout
//      (redisConnectWithTimeout), each read or write of the socket by timeout
//      (redisSetTimeout), and no reply of a pipeline is waited for once timeout has passed
//      since its commands were written.
//   4. A pipeline (deliver_many) writes at most max_in_flight XADDs, then reads exactly one
//      reply per command, or frees the context: no reply of one call is left for the next.
#include "basalt/brokers/redis_destination.hpp"

#include "basalt/brokers/connector_support.hpp"
#include "basalt/brokers/delivery_result.hpp"
#include "basalt/brokers/event_envelope.hpp"
#include "basalt/brokers/event_template.hpp"
#include "basalt/brokers/host_resolver.hpp"
#include "basalt/core/span_scope.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <sys/time.h>
#include <cerrno>
#include <optional>
#include <span>
#include <variant>
#include <vector>

namespace basalt::brokers {
namespace {

using Outcome = events::DeliveryResult::Outcome;
using Clock = std::chrono::steady_clock;

using Failure = ConnectorFailure;

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

// The argument arrays hiredis takes, viewing `args` (which must outlive it).
struct ArgvView {
  explicit ArgvView(const std::vector<std::string>& args) {
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
  }
  int count() const { return static_cast<int>(argv.size()); }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
};

// Error replies that retrying the same command will not fix: a key of another type, a
// rejected login, a command the server does not know (Redis < 5 has no streams).
Outcome outcome_for_error(std::string_view error) {
  for (std::string_view prefix :
       {"WRONGTYPE", "NOAUTH", "WRONGPASS", "NOPERM", "ERR AUTH", "ERR unknown command"}) {
    if (error.starts_with(prefix)) return Outcome::kReject;
  }
  return Outcome::kRetry;  // OOM, LOADING, BUSY, READONLY, MASTERDOWN, ...
}

class RedisDestination final : public events::Destination {
 public:
  explicit RedisDestination(RedisConfig config)
      : config_(std::move(config)), max_len_(std::to_string(config_.max_len)) {}
  ~RedisDestination() override { disconnect(); }

  RedisDestination(const RedisDestination&) = delete;
  RedisDestination& operator=(const RedisDestination&) = delete;

  std::size_t max_in_flight() const noexcept override { return config_.max_in_flight; }

  events::DeliveryResult deliver(const events::OutboxEvent& event) override {
    const events::OutboxEvent* one[] = {&event};
    return deliver_many(one, {}).front();
  }

  // Writes every XADD, then reads the replies in order (invariant 4 of events::Destination):
  // each reply is its own command's, so a refused one does not stop the ones after it.
  std::vector<events::DeliveryResult> deliver_many(
      std::span<const events::OutboxEvent* const> events,
      const events::BeforeSend& before_send) override {
    const auto started = Clock::now();
    std::vector<Command> commands;
    commands.reserve(events.size());
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (before_send) before_send(i);
      commands.push_back(xadd_command(*events[i]));
    }
    const bool reused = context_ != nullptr;
    std::vector<Reply> replies;
    std::optional<Failure> failure = attempt(commands, replies);
    if (failure && failure->connection_lost && reused && replies.empty()) {
      failure = attempt(commands, replies);  // a kept connection that had died
    }
    std::vector<events::DeliveryResult> results;
    results.reserve(replies.size() + 1);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      const redisReply& reply = *replies[i];
      const std::string& key = commands[i].key;
      if (reply.type == REDIS_REPLY_ERROR) {
        const std::string_view error(reply.str, reply.len);
        results.push_back(delivery_result(outcome_for_error(error), started,
                                          fmt::format("XADD {}: {}", key, error)));
      } else if (reply.type != REDIS_REPLY_STRING) {
        results.push_back(
            delivery_result(Outcome::kRetry, started,
                            fmt::format("XADD {}: unexpected reply type {}", key, reply.type)));
      } else {
        results.push_back(delivery_result(Outcome::kDelivered, started,
                                          fmt::format("appended to {} as entry {}", key,
                                                      std::string_view(reply.str, reply.len))));
      }
    }
    if (failure) {
      results.push_back(delivery_result(failure->outcome, started, std::move(failure->detail)));
    }
    return results;
  }

 private:
  // One event's XADD: its stream key and its arguments.
  struct Command {
    std::string key;
    std::vector<std::string> args;
  };

  Command xadd_command(const events::OutboxEvent& event) const {
    Command command;
    command.key = expand_event_template(config_.stream_key, event);
    command.args = {"XADD", command.key, "MAXLEN", "~", max_len_, "*"};
    for (auto& field : redis_stream_fields(event)) command.args.push_back(std::move(field));
    // The delivery span's W3C context as two more fields, when traced (docs/brokers.md).
    core::TraceContextValues trace = core::outgoing_trace_context();
    if (!trace.traceparent.empty()) {
      command.args.insert(command.args.end(), {"traceparent", std::move(trace.traceparent)});
      if (!trace.tracestate.empty()) {
        command.args.insert(command.args.end(), {"tracestate", std::move(trace.tracestate)});
      }
    }
    return command;
  }

  // One try: connect if needed, append every command to the output buffer, then read one
  // reply per command (hiredis writes the buffer before its first read). `replies` holds the
  // replies read, in order; a failure is that of the first command without one, and after an
  // I/O error the context is gone (invariant 2).
  std::optional<Failure> attempt(const std::vector<Command>& commands,
                                 std::vector<Reply>& replies) {
    replies.clear();
    if (context_ == nullptr) {
      if (auto failure = connect()) {
        disconnect();
        return failure;
      }
    }
    for (const Command& command : commands) {
      if (append(command.args) != REDIS_OK) {
        Failure failure{Outcome::kRetry, fmt::format("XADD {}: {}", command.key, context_->errstr)};
        disconnect();
        return failure;
      }
    }
    // Each read is bounded by the socket timeout; the deadline bounds the pipeline as a whole
    // (a server answering just within the timeout, one reply at a time, would otherwise hold
    // the destination for max_in_flight timeouts).
    const auto deadline = Clock::now() + config_.timeout;
    for (const Command& command : commands) {
      if (Clock::now() >= deadline) {
        Failure failure{Outcome::kRetry, fmt::format("XADD {}: no reply within {} ms", command.key,
                                                     config_.timeout.count())};
        disconnect();
        return failure;
      }
      void* raw = nullptr;
      if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
        // EOF or a reset: the server closed the connection (not a timeout, which is EAGAIN).
        const bool lost =
            context_->err == REDIS_ERR_EOF ||
            (context_->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE));
        Failure failure{Outcome::kRetry, fmt::format("XADD {}: {}", command.key, context_->errstr),
                        lost};
        disconnect();
        return failure;
      }
      replies.emplace_back(static_cast<redisReply*>(raw));
    }
    return std::nullopt;
  }

  int append(const std::vector<std::string>& args) {
    ArgvView view(args);
    return redisAppendCommandArgv(context_, view.count(), view.argv.data(), view.lengths.data());
  }

  Reply command(const std::vector<std::string>& args) {
    ArgvView view(args);
    return Reply(static_cast<redisReply*>(
        redisCommandArgv(context_, view.count(), view.argv.data(), view.lengths.data())));
  }

  // Runs a setup command (AUTH, SELECT) and turns anything but +OK into a failure.
  std::optional<Failure> setup(const std::vector<std::string>& args, std::string_view what) {
    Reply reply = command(args);
    if (!reply) return Failure{Outcome::kRetry, fmt::format("{}: {}", what, context_->errstr)};
    if (reply->type == REDIS_REPLY_ERROR) {
      const std::string_view error(reply->str, reply->len);
      return Failure{outcome_for_error(error), fmt::format("{}: {}", what, error)};
    }
    return std::nullopt;
  }

  std::optional<Failure> connect() {
    auto resolved =
        resolve_broker_host(config_.url.host, config_.connect_timeout, config_.allow_private);
    if (auto* failure = std::get_if<Failure>(&resolved)) return std::move(*failure);
    const timeval connect_tv = timeval_of(config_.connect_timeout);
    // Each address in turn until one accepts.
    for (const std::string& address : std::get<std::vector<std::string>>(resolved)) {
      if (context_ != nullptr) redisFree(context_);
      context_ = redisConnectWithTimeout(address.c_str(), config_.url.port, connect_tv);
      if (context_ == nullptr || context_->err == 0) break;
    }
    if (context_ == nullptr) return Failure{Outcome::kRetry, "out of memory"};
    if (context_->err != 0) {
      return Failure{Outcome::kRetry,
                     fmt::format("connect to {}: {}", config_.url.redacted(), context_->errstr)};
    }
    const timeval command_tv = timeval_of(config_.timeout);
    if (redisSetTimeout(context_, command_tv) != REDIS_OK) {
      return Failure{Outcome::kRetry, "cannot set the command timeout"};
    }
    if (config_.url.has_password) {
      // Never echoed: the detail names only the command.
      std::vector<std::string> auth = {"AUTH"};
      if (!config_.url.user.empty()) auth.push_back(config_.url.user);
      auth.push_back(config_.url.password);
      if (auto failure = setup(auth, "AUTH")) return failure;
    }
    if (config_.database != 0) {
      if (auto failure = setup({"SELECT", std::to_string(config_.database)}, "SELECT")) {
        return failure;
      }
    }
    return std::nullopt;
  }

  void disconnect() {
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
  }

  RedisConfig config_;
  std::string max_len_;
  redisContext* context_ = nullptr;
};

}  // namespace

std::vector<std::string> redis_stream_fields(const events::OutboxEvent& event) {
  return {"id",           event.event_id,
          "type",         "record." + event.action,
          "action",       event.action,
          "collection",   event.collection_name,
          "collectionId", event.collection_id,
          "sequence",     std::to_string(event.sequence),
          "timestamp",    rfc3339_commit_time(event),
          "record",       event.record_json};
}

std::unique_ptr<events::Destination> make_redis_destination(RedisConfig config) {
  return std::make_unique<RedisDestination>(std::move(config));
}

}  // namespace basalt::brokers
