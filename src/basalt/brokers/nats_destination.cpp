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
//      and the publish ack by timeout.
#include "basalt/brokers/nats_destination.hpp"

#include "basalt/brokers/connector_support.hpp"
#include "basalt/brokers/delivery_result.hpp"
#include "basalt/brokers/event_envelope.hpp"
#include "basalt/brokers/host_resolver.hpp"
#include "basalt/core/span_scope.hpp"

#include <fmt/format.h>
#include <nats/nats.h>

#include <variant>

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
      status = natsMsg_Create(&message, subject.c_str(), nullptr, body.data(),
                              static_cast<int>(body.size()));
      if (status == NATS_OK) {
        status = natsMsgHeader_Set(message, "traceparent", trace.traceparent.c_str());
      }
      if (status == NATS_OK && !trace.tracestate.empty()) {
        status = natsMsgHeader_Set(message, "tracestate", trace.tracestate.c_str());
      }
      if (status == NATS_OK) {
        status = js_PublishMsg(&ack, jetstream_, message, &options, &js_error);
      }
      if (message != nullptr) natsMsg_Destroy(message);
    }
    if (status != NATS_OK) {
      if (ack != nullptr) jsPubAck_Destroy(ack);
      Failure failure;
      if (status == NATS_NO_RESPONDERS) {
        failure.detail =
            fmt::format("no JetStream stream stores subject '{}' ({})", subject,
                        config_.create_stream ? "was it deleted?" : "createStream is off");
      } else {
        failure.detail = fmt::format("publish to '{}': {}", subject, status_text(status, js_error));
      }
      // A message over the server's max_payload (1 MiB by default) will never fit.
      failure.outcome = status == NATS_MAX_PAYLOAD || status == NATS_INVALID_SUBJECT
                            ? Outcome::kReject
                            : Outcome::kRetry;
      failure.connection_lost = status == NATS_CONNECTION_CLOSED || status == NATS_IO_ERROR ||
                                status == NATS_STALE_CONNECTION ||
                                status == NATS_CONNECTION_DISCONNECTED;
      // Whatever broke (a timeout, a closed connection), start from a fresh connection.
      disconnect();
      return failure;
    }
    auto detail = fmt::format("stored in stream '{}' at sequence {}{}", ack->Stream, ack->Sequence,
                              ack->Duplicate ? " (duplicate, already stored)" : "");
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
};

}  // namespace

std::unique_ptr<events::Destination> make_nats_destination(NatsConfig config) {
  return std::make_unique<NatsDestination>(std::move(config));
}

}  // namespace basalt::brokers
