// Thread ownership: one dispatcher thread at a time calls deliver() (events/destination.hpp).
// libnats runs its own I/O threads for the connection; this object only creates, uses and
// destroys the connection and JetStream context from deliver() and the destructor.
//
// Invariants:
//   1. `connection_` and `jetstream_` are both null or both live; the connection was made
//      with libnats' automatic reconnect off, so a lost server shows as a closed connection
//      and the next deliver() connects again (the same "reconnect on the next deliver" rule
//      as the other connectors, and no publish sits in libnats' reconnect buffer).
//   2. With createStream, the stream exists (found or created) on every connection we use.
//   3. Every blocking call is bounded: the connect by connect_timeout, stream lookup/creation
//      and the publish ack by timeout; a pipeline's acknowledgements by timeout from its start.
//   4. A pipeline (deliver_many) publishes asynchronously; libnats' thread hands each
//      acknowledgement to on_ack, which touches only `answers_` (under its mutex) and the
//      message. When the pipeline ends, every message of it is answered or taken back from
//      libnats (js_PublishAsyncGetPendingList) and the index cleared, so no answer reaches a
//      later pipeline; after a timeout the state is retired (kept alive for a late on_ack) and
//      the next connection gets a new one.
//   5. Writes have a deadline (natsOptions_SetWriteDeadline = timeout), so a server that stops
//      reading fails a publish instead of blocking it.
#include "basalt/brokers/nats_destination.hpp"

#include "basalt/brokers/connector_support.hpp"
#include "basalt/brokers/delivery_result.hpp"
#include "basalt/brokers/event_envelope.hpp"
#include "basalt/brokers/host_resolver.hpp"
#include "basalt/core/span_scope.hpp"

#include <fmt/format.h>
#include <nats/nats.h>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

namespace basalt::brokers {
namespace {

using Outcome = events::DeliveryResult::Outcome;
using Clock = std::chrono::steady_clock;

using Failure = ConnectorFailure;

std::string status_text(natsStatus status, jsErrCode js_error) {
  if (js_error != 0) {
    return fmt::format("{} (JetStream error {})", natsStatus_GetText(status),
                       static_cast<int>(js_error));
  }
  return natsStatus_GetText(status);
}

// A publish to `subject` that failed with `status` (a synchronous publish's, or an asynchronous
// one's acknowledgement error), as the delivery log says it and the outbox acts on it.
Failure publish_failure(natsStatus status, jsErrCode js_error, const std::string& subject,
                        bool create_stream) {
  Failure failure;
  if (status == NATS_NO_RESPONDERS) {
    failure.detail = fmt::format("no JetStream stream stores subject '{}' ({})", subject,
                                 create_stream ? "was it deleted?" : "createStream is off");
  } else {
    failure.detail = fmt::format("publish to '{}': {}", subject, status_text(status, js_error));
  }
  // A message over the server's max_payload (1 MiB by default) will never fit.
  failure.outcome = status == NATS_MAX_PAYLOAD || status == NATS_INVALID_SUBJECT ? Outcome::kReject
                                                                                 : Outcome::kRetry;
  failure.connection_lost = status == NATS_CONNECTION_CLOSED || status == NATS_IO_ERROR ||
                            status == NATS_STALE_CONNECTION ||
                            status == NATS_CONNECTION_DISCONNECTED;
  return failure;
}

std::string stored_detail(const jsPubAck& ack) {
  return fmt::format("stored in stream '{}' at sequence {}{}", ack.Stream, ack.Sequence,
                     ack.Duplicate ? " (duplicate, already stored)" : "");
}

// The answers of one pipeline (deliver_many), written by libnats' thread that delivers the
// JetStream acknowledgements (on_ack) and read by the delivery thread, under `mutex`.
struct PipelineAnswers {
  struct Answer {
    bool answered = false;
    bool stored = false;
    std::string detail;  // stored: where; else the failure's detail
    Outcome outcome = Outcome::kRetry;
  };
  std::mutex mutex;
  std::condition_variable changed;
  std::unordered_map<const natsMsg*, std::size_t> index;  // in flight → its event's index
  std::vector<std::string> subjects;                      // of the current pipeline
  std::vector<Answer> answers;
  std::size_t answered = 0;
  bool create_stream = true;
};

// libnats' AckHandler: records the answer of a message of the current pipeline (one of an
// earlier pipeline is no longer in `index`) and destroys the message, which is ours here.
// Touches the destination's state only while it holds the mutex (invariant 4).
void on_ack(jsCtx*, natsMsg* message, jsPubAck* ack, jsPubAckErr* error, void* closure) {
  auto* state = static_cast<PipelineAnswers*>(closure);
  {
    std::lock_guard lock(state->mutex);
    const auto found = state->index.find(message);
    if (found != state->index.end()) {
      PipelineAnswers::Answer& answer = state->answers[found->second];
      answer.answered = true;
      if (ack != nullptr) {
        answer.stored = true;
        answer.detail = stored_detail(*ack);
      } else {
        const natsStatus status = error != nullptr ? error->Err : NATS_ERR;
        const jsErrCode code = error != nullptr ? error->ErrCode : static_cast<jsErrCode>(0);
        Failure failure =
            publish_failure(status, code, state->subjects[found->second], state->create_stream);
        answer.outcome = failure.outcome;
        answer.detail = std::move(failure.detail);
      }
      state->index.erase(found);
      ++state->answered;
      state->changed.notify_one();
    }
  }
  natsMsg_Destroy(message);
}

// A message for `subject` with `body`, and the trace context as headers when there is one.
natsStatus make_message(natsMsg** message, const std::string& subject, const std::string& body,
                        const core::TraceContextValues& trace) {
  natsStatus status =
      natsMsg_Create(message, subject.c_str(), nullptr, body.data(), static_cast<int>(body.size()));
  if (status == NATS_OK && !trace.traceparent.empty()) {
    status = natsMsgHeader_Set(*message, "traceparent", trace.traceparent.c_str());
  }
  if (status == NATS_OK && !trace.tracestate.empty()) {
    status = natsMsgHeader_Set(*message, "tracestate", trace.tracestate.c_str());
  }
  return status;
}

// Keeps the states of timed-out pipelines alive for late on_ack calls (see deliver_many): the
// last kRetired of them, process-wide; a call that late is long over by the time one is freed.
void retire(std::unique_ptr<PipelineAnswers> state) {
  constexpr std::size_t kRetired = 16;
  static std::mutex mutex;
  static auto* retired = new std::deque<std::unique_ptr<PipelineAnswers>>();  // never freed
  {
    std::lock_guard lock(state->mutex);
    state->index.clear();  // a late answer finds nothing and only frees its message
    state->answers.clear();
    state->subjects.clear();
  }
  std::unique_ptr<PipelineAnswers> oldest;
  std::lock_guard lock(mutex);
  retired->push_back(std::move(state));
  if (retired->size() > kRetired) {
    oldest = std::move(retired->front());
    retired->pop_front();
  }
}

class NatsDestination final : public events::Destination {
 public:
  explicit NatsDestination(NatsConfig config) : config_(std::move(config)) {}
  ~NatsDestination() override { disconnect(); }

  NatsDestination(const NatsDestination&) = delete;
  NatsDestination& operator=(const NatsDestination&) = delete;

  events::DeliveryResult deliver(const events::OutboxEvent& event) override {
    const auto started = Clock::now();
    if (!is_nats_subject_token(event.collection_name) || !is_nats_subject_token(event.action)) {
      return delivery_result(Outcome::kReject, started,
                             "the collection name or action cannot be a NATS subject token");
    }
    const auto subject =
        fmt::format("{}.{}.{}", config_.subject_prefix, event.collection_name, event.action);
    const std::string body = build_event_envelope(event);
    if (connection_ != nullptr &&
        natsConnection_Status(connection_) != NATS_CONN_STATUS_CONNECTED) {
      disconnect();  // libnats saw the server go (its own reconnect is off)
    }
    const bool reused = connection_ != nullptr;
    auto outcome = attempt(event, subject, body);
    if (auto* failure = std::get_if<Failure>(&outcome);
        failure != nullptr && failure->connection_lost && reused) {
      outcome = attempt(event, subject, body);
    }
    if (auto* failure = std::get_if<Failure>(&outcome)) {
      return delivery_result(failure->outcome, started, std::move(failure->detail));
    }
    return delivery_result(Outcome::kDelivered, started, std::move(std::get<std::string>(outcome)));
  }

  std::size_t max_in_flight() const noexcept override { return config_.max_in_flight; }

  // Publishes every event without waiting (js_PublishMsgAsync), then waits for their
  // acknowledgements, which libnats hands to on_ack on its own thread (invariant 4). One event
  // goes through deliver(), a synchronous publish.
  std::vector<events::DeliveryResult> deliver_many(
      std::span<const events::OutboxEvent* const> events,
      const events::BeforeSend& before_send) override {
    if (events.size() <= 1) return events::Destination::deliver_many(events, before_send);
    const auto started = Clock::now();
    std::vector<events::DeliveryResult> results;
    // Events whose names cannot be subject tokens end the pipeline before them.
    std::vector<std::string> subjects;
    for (const events::OutboxEvent* event : events) {
      if (!is_nats_subject_token(event->collection_name) || !is_nats_subject_token(event->action)) {
        break;
      }
      subjects.push_back(
          fmt::format("{}.{}.{}", config_.subject_prefix, event->collection_name, event->action));
    }
    if (subjects.empty()) return {deliver(*events[0])};  // its reject, from the one place
    if (connection_ != nullptr &&
        natsConnection_Status(connection_) != NATS_CONN_STATUS_CONNECTED) {
      disconnect();  // libnats saw the server go (its own reconnect is off)
    }
    if (connection_ == nullptr) {
      if (auto failure = connect()) {
        disconnect();
        return {delivery_result(failure->outcome, started, std::move(failure->detail))};
      }
    }
    // The acknowledgements' deadline starts once connected (deliver() gives the connect and
    // the ack a budget each, and so does a pipeline).
    const auto deadline = Clock::now() + config_.timeout;
    PipelineAnswers& state = *answers_;
    {
      std::lock_guard lock(state.mutex);
      state.index.clear();
      state.subjects = subjects;
      state.answers.assign(subjects.size(), {});
      state.answered = 0;
      state.create_stream = config_.create_stream;
    }
    std::size_t sent = 0;
    std::optional<Failure> send_failure;
    for (; sent < subjects.size(); ++sent) {
      const events::OutboxEvent& event = *events[sent];
      if (before_send) before_send(sent);
      const std::string body = build_event_envelope(event);
      natsMsg* message = nullptr;
      natsStatus status =
          make_message(&message, subjects[sent], body, core::outgoing_trace_context());
      jsPubOptions options;
      jsPubOptions_Init(&options);
      options.MsgId = event.event_id.c_str();  // sent as the Nats-Msg-Id header
      if (status == NATS_OK) {
        // Indexed first: its acknowledgement may arrive before the call returns.
        std::lock_guard lock(state.mutex);
        state.index.emplace(message, sent);
      }
      const natsMsg* key = message;
      if (status == NATS_OK) status = js_PublishMsgAsync(jetstream_, &message, &options);
      if (status != NATS_OK) {
        {
          std::lock_guard lock(state.mutex);
          state.index.erase(key);
        }
        if (message != nullptr) natsMsg_Destroy(message);  // not taken by libnats
        send_failure = publish_failure(status, static_cast<jsErrCode>(0), subjects[sent],
                                       config_.create_stream);
        break;
      }
    }
    bool complete = false;
    {
      std::unique_lock lock(state.mutex);
      complete = state.changed.wait_until(lock, deadline, [&] { return state.answered >= sent; });
    }
    if (!complete) {
      // The unanswered ones are taken back from libnats (and freed), so no answer of theirs can
      // reach a later pipeline; the connection is then dropped, as after any failure.
      natsMsgList pending{};
      if (js_PublishAsyncGetPendingList(&pending, jetstream_) == NATS_OK) {
        {
          std::lock_guard lock(state.mutex);
          for (int i = 0; i < pending.Count; ++i) state.index.erase(pending.Msgs[i]);
        }
        natsMsgList_Destroy(&pending);
      }
    }
    {
      std::lock_guard lock(state.mutex);
      for (std::size_t i = 0; i < sent && state.answers[i].answered; ++i) {
        const PipelineAnswers::Answer& answer = state.answers[i];
        results.push_back(delivery_result(answer.stored ? Outcome::kDelivered : answer.outcome,
                                          started, answer.detail));
      }
      state.index.clear();
    }
    if (results.size() < sent) {
      results.push_back(
          delivery_result(Outcome::kRetry, started,
                          fmt::format("no JetStream ack within {} ms", config_.timeout.count())));
    } else if (send_failure) {
      results.push_back(delivery_result(send_failure->outcome, started, send_failure->detail));
    }
    if (!complete || send_failure) disconnect();
    if (!complete) {
      // libnats may have taken an answer out of its pending list (so GetPendingList did not
      // return it) without having called on_ack yet: that call may still come, after the
      // connection is gone, with this state as its closure. So the state is retired, not freed,
      // and the next connection gets a fresh one (invariant 4).
      retire(std::move(answers_));
      answers_ = std::make_unique<PipelineAnswers>();
    }
    return results;
  }

 private:
  // One try: connect if needed and publish. The ack's description, or why not (after a
  // failure the connection is gone).
  std::variant<std::string, Failure> attempt(const events::OutboxEvent& event,
                                             const std::string& subject, const std::string& body) {
    if (connection_ == nullptr) {
      if (auto failure = connect()) {
        disconnect();
        return *failure;
      }
    }
    jsPubOptions options;
    jsPubOptions_Init(&options);
    options.MaxWait = config_.timeout.count();
    options.MsgId = event.event_id.c_str();  // sent as the Nats-Msg-Id header
    jsPubAck* ack = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    // The delivery span's W3C context as NATS headers, when traced (docs/brokers.md): the
    // message then goes as a natsMsg with headers, else as plain data.
    const core::TraceContextValues trace = core::outgoing_trace_context();
    natsStatus status = NATS_OK;
    if (trace.traceparent.empty()) {
      status = js_Publish(&ack, jetstream_, subject.c_str(), body.data(),
                          static_cast<int>(body.size()), &options, &js_error);
    } else {
      natsMsg* message = nullptr;
      status = make_message(&message, subject, body, trace);
      if (status == NATS_OK) {
        status = js_PublishMsg(&ack, jetstream_, message, &options, &js_error);
      }
      if (message != nullptr) natsMsg_Destroy(message);
    }
    if (status != NATS_OK) {
      if (ack != nullptr) jsPubAck_Destroy(ack);
      Failure failure = publish_failure(status, js_error, subject, config_.create_stream);
      // Whatever broke (a timeout, a closed connection), start from a fresh connection.
      disconnect();
      return failure;
    }
    auto detail = stored_detail(*ack);
    jsPubAck_Destroy(ack);
    return detail;
  }

  std::optional<Failure> connect() {
    auto resolved =
        resolve_broker_host(config_.url.host, config_.connect_timeout, config_.allow_private);
    if (auto* failure = std::get_if<Failure>(&resolved)) return std::move(*failure);
    natsOptions* options = nullptr;
    natsStatus status = natsOptions_Create(&options);
    // The resolved addresses as libnats' server list, tried in this order.
    std::vector<std::string> servers;
    for (const std::string& address : std::get<std::vector<std::string>>(resolved)) {
      servers.push_back(fmt::format("nats://{}:{}", url_host(address), config_.url.port));
    }
    std::vector<const char*> server_texts;
    for (const std::string& server : servers) server_texts.push_back(server.c_str());
    if (status == NATS_OK) {
      status = natsOptions_SetServers(options, server_texts.data(),
                                      static_cast<int>(server_texts.size()));
    }
    if (status == NATS_OK) status = natsOptions_SetNoRandomize(options, true);
    if (status == NATS_OK)
      status = natsOptions_SetTimeout(options, config_.connect_timeout.count());
    if (status == NATS_OK) status = natsOptions_SetAllowReconnect(options, false);
    // Without it libnats writes on a blocking socket with no deadline: a server that stops
    // reading would hold a publish (and its delivery thread) forever once the socket's buffers
    // are full. With it a write past the deadline fails the publish (a retry).
    if (status == NATS_OK) {
      status = natsOptions_SetWriteDeadline(options, config_.timeout.count());
    }
    if (status == NATS_OK && !config_.url.user.empty()) {
      status = config_.url.has_password ? natsOptions_SetUserInfo(options, config_.url.user.c_str(),
                                                                  config_.url.password.c_str())
                                        : natsOptions_SetToken(options, config_.url.user.c_str());
    }
    if (status == NATS_OK) status = natsConnection_Connect(&connection_, options);
    if (options != nullptr) natsOptions_Destroy(options);
    if (status != NATS_OK) {
      connection_ = nullptr;
      return Failure{Outcome::kRetry, fmt::format("connect to {}: {}", config_.url.redacted(),
                                                  natsStatus_GetText(status))};
    }
    jsOptions js_options;
    jsOptions_Init(&js_options);
    js_options.Wait = config_.timeout.count();
    // The asynchronous publishes of a pipeline report to on_ack; a pipeline is never larger.
    js_options.PublishAsync.MaxPending = static_cast<int64_t>(config_.max_in_flight);
    js_options.PublishAsync.AckHandler = on_ack;
    js_options.PublishAsync.AckHandlerClosure = answers_.get();
    status = natsConnection_JetStream(&jetstream_, connection_, &js_options);
    if (status != NATS_OK) {
      jetstream_ = nullptr;
      return Failure{Outcome::kRetry,
                     fmt::format("JetStream context: {}", natsStatus_GetText(status))};
    }
    if (config_.create_stream) return ensure_stream();
    return std::nullopt;
  }

  std::optional<Failure> ensure_stream() {
    jsStreamInfo* info = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    natsStatus status =
        js_GetStreamInfo(&info, jetstream_, config_.stream.c_str(), nullptr, &js_error);
    if (status == NATS_OK) {
      jsStreamInfo_Destroy(info);
      return std::nullopt;
    }
    if (status != NATS_NOT_FOUND) {
      return Failure{Outcome::kRetry, fmt::format("look up stream '{}': {}", config_.stream,
                                                  status_text(status, js_error))};
    }
    const auto subjects = config_.subject_prefix + ".>";
    const char* subject_list[] = {subjects.c_str()};
    jsStreamConfig stream;
    jsStreamConfig_Init(&stream);
    stream.Name = config_.stream.c_str();
    stream.Subjects = subject_list;
    stream.SubjectsLen = 1;
    stream.Storage = js_FileStorage;
    js_error = static_cast<jsErrCode>(0);
    status = js_AddStream(&info, jetstream_, &stream, nullptr, &js_error);
    if (info != nullptr) jsStreamInfo_Destroy(info);
    if (status == NATS_OK || js_error == JSStreamNameExistErr) return std::nullopt;
    // E.g. another stream already takes these subjects: a configuration problem.
    const auto outcome = js_error != 0 ? Outcome::kReject : Outcome::kRetry;
    return Failure{outcome, fmt::format("create stream '{}' for '{}': {}", config_.stream, subjects,
                                        status_text(status, js_error))};
  }

  void disconnect() {
    if (jetstream_ != nullptr) jsCtx_Destroy(jetstream_);
    jetstream_ = nullptr;
    if (connection_ != nullptr) natsConnection_Destroy(connection_);
    connection_ = nullptr;
  }

  NatsConfig config_;
  natsConnection* connection_ = nullptr;
  jsCtx* jetstream_ = nullptr;
  // on_ack's closure: lives as long as this object, past the JetStream context.
  std::unique_ptr<PipelineAnswers> answers_ = std::make_unique<PipelineAnswers>();
};

}  // namespace

std::unique_ptr<events::Destination> make_nats_destination(NatsConfig config) {
  return std::make_unique<NatsDestination>(std::move(config));
}

}  // namespace basalt::brokers
