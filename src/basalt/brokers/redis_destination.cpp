// Thread ownership: one dispatcher thread at a time calls deliver() (events/destination.hpp);
// the hiredis context is used only from deliver() and the destructor.
//
// Invariants:
//   1. `context_` is null or connected, authenticated and on the configured database.
//   2. After any I/O error or timeout the context is freed; the next deliver() connects again
//      (hiredis cannot resynchronise a connection whose reply was cut).
//   3. Every blocking call is bounded: the connect by connect_timeout
//      (redisConnectWithTimeout), each command by timeout (redisSetTimeout).
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
#include <variant>

namespace basalt::brokers {
namespace {

using Outcome = events::DeliveryResult::Outcome;
using Clock = std::chrono::steady_clock;

using Failure = ConnectorFailure;

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

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

  events::DeliveryResult deliver(const events::OutboxEvent& event) override {
    const auto started = Clock::now();
    const auto key = expand_event_template(config_.stream_key, event);
    std::vector<std::string> args = {"XADD", key, "MAXLEN", "~", max_len_, "*"};
    for (auto& field : redis_stream_fields(event)) args.push_back(std::move(field));
    // The delivery span's W3C context as two more fields, when traced (docs/brokers.md).
    core::TraceContextValues trace = core::outgoing_trace_context();
    if (!trace.traceparent.empty()) {
      args.insert(args.end(), {"traceparent", std::move(trace.traceparent)});
      if (!trace.tracestate.empty()) {
        args.insert(args.end(), {"tracestate", std::move(trace.tracestate)});
      }
    }
    const bool reused = context_ != nullptr;
    auto outcome = attempt(args, key);
    if (auto* failure = std::get_if<Failure>(&outcome);
        failure != nullptr && failure->connection_lost && reused) {
      outcome = attempt(args, key);
    }
    if (auto* failure = std::get_if<Failure>(&outcome)) {
      return delivery_result(failure->outcome, started, std::move(failure->detail));
    }
    return delivery_result(
        Outcome::kDelivered, started,
        fmt::format("appended to {} as entry {}", key, std::get<std::string>(outcome)));
  }

 private:
  // One try: connect if needed and XADD. The entry id, or why not (after an I/O error the
  // context is gone).
  std::variant<std::string, Failure> attempt(const std::vector<std::string>& args,
                                             const std::string& key) {
    if (context_ == nullptr) {
      if (auto failure = connect()) {
        disconnect();
        return *failure;
      }
    }
    Reply reply = command(args);
    if (!reply) {
      // EOF or a reset: the server closed the connection (not a timeout, which is EAGAIN).
      const bool lost = context_->err == REDIS_ERR_EOF ||
                        (context_->err == REDIS_ERR_IO && (errno == ECONNRESET || errno == EPIPE));
      Failure failure{Outcome::kRetry, fmt::format("XADD {}: {}", key, context_->errstr), lost};
      disconnect();
      return failure;
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      const std::string_view error(reply->str, reply->len);
      return Failure{outcome_for_error(error), fmt::format("XADD {}: {}", key, error)};
    }
    if (reply->type != REDIS_REPLY_STRING) {
      return Failure{Outcome::kRetry,
                     fmt::format("XADD {}: unexpected reply type {}", key, reply->type)};
    }
    return std::string(reply->str, reply->len);
  }

  Reply command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    return Reply(static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data())));
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
