#include "basalt/api/graphql_ws_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "basalt/api/client_address.hpp"
#include "basalt/api/graphql_handler.hpp"
#include "basalt/api/graphql_operation.hpp"
#include "basalt/api/graphql_running_operation.hpp"
#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/subscription_metrics.hpp"
#include "basalt/api/ws_gated_socket.hpp"
#include "basalt/graphql/subscription_live_query.hpp"

namespace basalt::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using WsStream = websocket::stream<WsGatedSocket&>;

constexpr std::string_view kTransportWs = "graphql-transport-ws";
constexpr std::string_view kLegacyWs = "graphql-ws";
constexpr std::size_t kMaxOperations = 100;
constexpr std::chrono::seconds kInitTimeout{3};

enum class WsProtocol : std::uint8_t { kNone, kTransport, kLegacy };

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool list_has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (equals_ignoring_case(item, token)) return true;
  }
  return false;
}

// Who the session runs its operations as, once connection_init authenticated it; what the
// operations' callers borrow (kept alive by them).
struct Principal {
  auth::AuthContext auth;
  std::string client_ip;
};

// The session's state shared with its writer, its init timer and its operations' sinks. Worker
// thread only. `socket` is null once the session has returned.
struct Session {
  Session(const Services& services, asio::any_io_executor executor, WsProtocol protocol)
      : services(services),
        protocol(protocol),
        wake(executor),
        writer_finished(executor),
        init_timer(executor) {}

  const Services& services;
  WsProtocol protocol;
  asio::steady_timer wake;             // the writer waits on it; cancel() wakes it
  asio::steady_timer writer_finished;  // the session waits on it for the writer's end
  asio::steady_timer init_timer;
  WsGatedSocket* socket = nullptr;
  // Frames to write, in order, each from `offset` on (a send that took part of one); a `next`
  // may be the same object in many sessions' queues (next_message()), each write reading it
  // where it is.
  struct Outgoing {
    std::shared_ptr<const std::string> frame;
    std::size_t offset = 0;
  };
  std::deque<Outgoing> queue;
  std::size_t queued_bytes = 0;
  std::size_t max_queued_bytes = 0;
  std::optional<websocket::close_reason> close;  // asked for: the writer sends it after the queue
  bool ending = false;                           // the reader is done: nothing more is queued
  bool writer_done = false;
  bool init_received = false;
  bool acknowledged = false;
  std::string upgrade_authorization;
  std::string token;  // the one connection_init authenticated ("" for a guest)
  std::string client_ip;
  query::RequestInfo info;
  std::shared_ptr<const Principal> principal;
  std::unordered_map<std::string, RunningOperation> operations;

  // False when the message is lost: the session is ending, or this message dropped it.
  bool send(std::string_view text) {
    return send_frame(std::make_shared<const std::string>(ws_text_frame(text)));
  }
  // A complete frame (ws_text_frame()). With nothing queued it goes to the kernel at once, in
  // the caller's pass (ws_gated_socket.hpp); what the kernel does not take waits in the queue
  // for the writer. A shared frame counts fully against each queue holding it: the bound is
  // what one client keeps waiting, wherever the bytes live.
  bool send_frame(std::shared_ptr<const std::string> frame) {
    if (ending || close) return false;
    std::size_t offset = 0;
    if (queue.empty() && socket != nullptr) {
      const std::ptrdiff_t sent = socket->try_send(*frame);
      if (sent < 0) {
        // The peer is gone: the reader sees the closed socket and ends the session.
        ending = true;
        socket->close();
        wake.cancel();
        return false;
      }
      offset = static_cast<std::size_t>(sent);
      if (offset == frame->size()) return true;
    }
    queued_bytes += frame->size() - offset;
    queue.push_back(Outgoing{std::move(frame), offset});
    bool kept = true;
    if (queued_bytes > max_queued_bytes) {
      // A client that does not read: dropped, as realtime drops one (its pending writes fail).
      ending = true;
      kept = false;
      if (socket != nullptr) socket->close();
    }
    wake.cancel();
    return kept;
  }

  void close_with(std::uint16_t code, std::string reason) {
    if (close || ending) return;
    if (reason.size() > 120) reason.resize(120);  // a close frame's payload is at most 125 bytes
    close = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
    wake.cancel();
  }

  void stop_operations() {
    for (auto& [id, operation] : operations) operation.stop();
    operations.clear();
  }

  // The subscriber's auth no longer holds: every operation stops and the connection closes with
  // 4403, as a connection_init with that token would now be refused (legacy: connection_error
  // first, since its clients read no close codes).
  void revoke() {
    stop_operations();
    if (close || ending) return;
    if (protocol == WsProtocol::kLegacy) {
      send(R"({"type":"connection_error","payload":{"message":"Forbidden"}})");
    }
    close_with(4403, "Forbidden");
  }
};

std::string json_text(std::string_view text) {
  return json::serialize(json::string(text));
}

// The writer: what the delivery passes' sends left in the queue, in order (several frames per
// write), then the close frame when one was asked for. Its writes and Beast's never cut each
// other's frames (ws_gated_socket.hpp).
asio::awaitable<void> write_loop(std::shared_ptr<Session> session, WsStream& ws,
                                 WsGatedSocket& gated) {
  // Frames per write: as many as one writev(2) takes in one go.
  constexpr std::size_t kFramesPerWrite = 64;
  boost::system::error_code ec;
  std::vector<Session::Outgoing> writing;
  std::vector<asio::const_buffer> buffers;
  for (;;) {
    if (!session->queue.empty()) {
      if (!gated.raw_busy() && !gated.begin_raw()) {
        // Beast is in a frame of its own (a pong, a ping): wait until it is done.
        gated.raw_gate().expires_at(asio::steady_timer::time_point::max());
        co_await gated.raw_gate().async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      // Held here while written: other sessions may hold and write the same frames.
      writing.clear();
      buffers.clear();
      while (!session->queue.empty() && writing.size() < kFramesPerWrite) {
        Session::Outgoing next = std::move(session->queue.front());
        session->queue.pop_front();
        session->queued_bytes -= next.frame->size() - next.offset;
        buffers.push_back(asio::buffer(*next.frame) + next.offset);
        writing.push_back(std::move(next));
      }
      co_await asio::async_write(gated.socket(), buffers,
                                 asio::redirect_error(asio::use_awaitable, ec));
      gated.end_raw();
      if (ec) break;
      continue;
    }
    if (session->close) {
      const websocket::close_reason reason = *session->close;
      co_await ws.async_close(reason, asio::redirect_error(asio::use_awaitable, ec));
      break;
    }
    if (session->ending) break;
    session->wake.expires_at(asio::steady_timer::time_point::max());
    co_await session->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  session->writer_done = true;
  session->writer_finished.cancel();
}

asio::awaitable<void> init_deadline(std::shared_ptr<Session> session) {
  boost::system::error_code ec;
  session->init_timer.expires_after(kInitTimeout);
  co_await session->init_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  if (!session->init_received && !session->ending) {
    session->close_with(4408, "Connection initialisation timeout");
  }
}

// connection_init's token: payload.headers.Authorization (any case), payload.Authorization or
// payload.authToken; nullopt when the payload names none; "" marks a non-string value.
std::optional<std::string> payload_token(const json::object& payload) {
  if (const json::value* headers = payload.if_contains("headers");
      headers && headers->is_object()) {
    for (const auto& entry : headers->get_object()) {
      if (equals_ignoring_case(entry.key(), "authorization")) {
        return entry.value().is_string() ? std::string(entry.value().get_string()) : "";
      }
    }
  }
  for (const char* key : {"Authorization", "authorization", "authToken"}) {
    if (const json::value* value = payload.if_contains(key)) {
      return value->is_string() ? std::string(value->get_string()) : "";
    }
  }
  return std::nullopt;
}

// connection_init: authenticates the token; false (after asking for the close) when refused.
asio::awaitable<bool> initialise(std::shared_ptr<Session> session, const json::value* payload) {
  std::string token = session->upgrade_authorization;
  if (payload != nullptr && payload->is_object()) {
    if (std::optional<std::string> given = payload_token(payload->get_object())) {
      if (given->empty()) {
        session->close_with(4400, "The Authorization of connection_init must be a string");
        co_return false;
      }
      token = std::move(*given);
    }
  }
  const std::chrono::system_clock::time_point now = session->services.clock.now();
  auth::AuthContext context = co_await session->services.authenticator.authenticate(token, now);
  if (session->ending || session->close) co_return false;
  if (!token.empty() && context.is_guest()) {
    // A token was presented and it does not authenticate: refused, never downgraded to a guest.
    if (session->protocol == WsProtocol::kLegacy) {
      session->send(R"({"type":"connection_error","payload":{"message":"Forbidden"}})");
    }
    session->close_with(4403, "Forbidden");
    co_return false;
  }
  auto principal = std::make_shared<Principal>();
  principal->auth = std::move(context);
  principal->client_ip = session->client_ip;
  session->principal = std::move(principal);
  session->token = std::move(token);
  session->acknowledged = true;
  session->send(R"({"type":"connection_ack"})");
  if (session->protocol == WsProtocol::kLegacy) session->send(R"({"type":"ka"})");
  co_return true;
}

records::Caller caller_of(const Principal& principal) {
  records::Caller caller;
  caller.client_address = principal.client_ip;
  if (!principal.auth.is_guest()) {
    caller.collection = principal.auth.collection.get();
    caller.record = principal.auth.record.get();
  }
  return caller;
}

// recheck_principal() when it needs no wait: the principal while it still holds, else nullopt.
std::optional<graphql::LiveCaller> principal_if_held(const std::weak_ptr<Session>& weak) {
  std::shared_ptr<Session> session = weak.lock();
  if (!session || !session->principal) return std::nullopt;
  const std::shared_ptr<const Principal>& principal = session->principal;
  if (!principal->auth.is_guest() && !session->services.authenticator.still_holds(
                                         principal->auth, session->services.clock.now())) {
    return std::nullopt;
  }
  return graphql::LiveCaller{caller_of(*principal), principal};
}

// Before every run of an operation: the session's principal as it is now; nullopt when it no
// longer authenticates. While the authenticator says the verified principal still holds (its
// token unexpired, its cache entry the one it was verified against: no update, delete or
// collection change since) it is kept as is, without decoding and verifying the token again
// — a thousand subscribers of one token cost a thousand lookups per run, not a thousand HMACs.
// Otherwise the token is authenticated again (the per-worker cache answers without a read while
// the record is unchanged); a new record (an update) replaces the session's principal, so later
// operations start from it too.
asio::awaitable<std::optional<graphql::LiveCaller>> recheck_principal(std::weak_ptr<Session> weak) {
  std::shared_ptr<Session> session = weak.lock();
  if (!session || !session->principal) co_return std::nullopt;
  std::shared_ptr<const Principal> principal = session->principal;
  const std::chrono::system_clock::time_point now = session->services.clock.now();
  if (!principal->auth.is_guest() &&
      !session->services.authenticator.still_holds(principal->auth, now)) {
    const std::string token = session->token;
    auth::AuthContext context = co_await session->services.authenticator.authenticate(token, now);
    if (context.is_guest()) co_return std::nullopt;
    if (context.record != principal->auth.record) {
      auto renewed = std::make_shared<Principal>();
      renewed->auth = std::move(context);
      renewed->client_ip = principal->client_ip;
      session->principal = renewed;
      principal = std::move(renewed);
    }
  }
  graphql::LiveCaller now_caller{caller_of(*principal), principal};
  co_return now_caller;
}

// The frame of a `next` (legacy: `data`) message, built once for the run of sessions that send
// the same payload object under the same id and protocol one after another — a shared run's
// members (graphql::LivePayload) are delivered in a row, so its thousand subscribers on this
// worker cost one frame, not a thousand concatenations and copies, and each socket one send(2)
// of it. The payload is held weakly (an expired payload's control block stays, so a new
// payload is never mistaken for it); the frame strongly, since most sockets take it at once
// and no queue keeps it: at most one frame per worker outlives its sends, until the next
// payload replaces it. Worker thread only: the sinks of a worker's sessions run on it, and
// each worker thread has its own memo.
std::shared_ptr<const std::string> next_message(const std::string& id, bool legacy,
                                                const graphql::LivePayload& payload) {
  struct Last {
    std::weak_ptr<const std::string> payload;
    std::string id;
    bool legacy = false;
    std::shared_ptr<const std::string> message;
  };
  thread_local Last last;
  const std::shared_ptr<const std::string>& shared = payload.shared();
  if (shared && last.legacy == legacy && last.id == id && !last.payload.owner_before(shared) &&
      !shared.owner_before(last.payload)) {
    return last.message;
  }
  auto message = std::make_shared<const std::string>(ws_text_frame(
      R"({"id":)" + json_text(id) + R"(,"type":)" + (legacy ? R"("data")" : R"("next")") +
      R"(,"payload":)" + payload.text() + "}"));
  if (shared) last = Last{shared, id, legacy, message};
  return message;
}

// A subscribe (start) whose id and payload were checked: runs it as a change feed or a
// LiveQuery (graphql_running_operation.hpp).
void start_operation(const std::shared_ptr<Session>& session, const std::string& id,
                     graphql::LiveQueryRequest request) {
  const bool legacy = session->protocol == WsProtocol::kLegacy;
  if (session->operations.size() >= kMaxOperations) {
    const std::string errors = R"([{"message":"Too many operations on this connection (at most )" +
                               std::to_string(kMaxOperations) +
                               R"().","extensions":{"code":"limit-exceeded"}}])";
    session->send(
        legacy
            ? R"({"id":)" + json_text(id) + R"(,"type":"data","payload":{"errors":)" + errors + "}}"
            : R"({"id":)" + json_text(id) + R"(,"type":"error","payload":)" + errors + "}");
    if (legacy) session->send(R"({"id":)" + json_text(id) + R"(,"type":"complete"})");
    return;
  }
  const records::Caller caller = caller_of(*session->principal);
  const auto& realtime = session->services.realtime.config();
  graphql::LiveQueryContext context{session->services.graphql,
                                    session->services.records.events(),
                                    caller,
                                    session->principal,
                                    session->info,
                                    graphql_request_policy(session->services),
                                    realtime.flush_interval};
  std::weak_ptr<Session> weak = session;
  if (!session->principal->auth.is_guest()) {
    context.recheck = [weak]() { return recheck_principal(weak); };
    context.recheck_held = [weak]() { return principal_if_held(weak); };
  }
  auto sink = [weak, id, legacy](graphql::LiveOutput output, graphql::LivePayload shared) {
    std::shared_ptr<Session> owner = weak.lock();
    if (!owner) return;
    if (output == graphql::LiveOutput::kNext) {
      count_subscription_event(owner->send_frame(next_message(id, legacy, shared)));
      return;
    }
    const std::string& payload = shared.text();
    const std::string head = R"({"id":)" + json_text(id) + R"(,"type":)";
    switch (output) {
      case graphql::LiveOutput::kNext:
        return;  // above
      case graphql::LiveOutput::kError:
        if (legacy) {
          owner->send(head + R"("data","payload":{"errors":)" + payload + "}}");
          owner->send(head + R"("complete"})");
        } else {
          owner->send(head + R"("error","payload":)" + payload + "}");
        }
        break;
      case graphql::LiveOutput::kComplete:
        owner->send(head + R"("complete"})");
        break;
      case graphql::LiveOutput::kRevoked:
        owner->revoke();  // stops every operation (this one included) and closes
        return;
    }
    owner->operations.erase(id);
  };
  session->operations[id] =
      start_graphql_operation(session->services, session->wake.get_executor(), std::move(context),
                              std::move(request), std::move(sink));
}

// One message of graphql-transport-ws (the graphql-ws library's PROTOCOL.md).
asio::awaitable<void> on_transport_message(std::shared_ptr<Session> session,
                                           const json::object& message) {
  const std::string_view type = message.at("type").get_string();
  const json::value* payload = message.if_contains("payload");
  if (type == "connection_init") {
    if (session->init_received) {
      session->close_with(4429, "Too many initialisation requests");
      co_return;
    }
    session->init_received = true;
    session->init_timer.cancel();
    if (payload != nullptr && !payload->is_object() && !payload->is_null()) {
      session->close_with(4400, "The connection_init payload must be an object");
      co_return;
    }
    co_await initialise(session, payload);
  } else if (type == "ping") {
    session->send(payload != nullptr && payload->is_object()
                      ? R"({"type":"pong","payload":)" + json::serialize(*payload) + "}"
                      : std::string(R"({"type":"pong"})"));
  } else if (type == "pong") {
    // An answer to a ping, or a heartbeat: nothing to do.
  } else if (type == "subscribe") {
    if (!session->acknowledged) {
      session->close_with(4401, "Unauthorized");
      co_return;
    }
    const json::value* id = message.if_contains("id");
    graphql::LiveQueryRequest request;
    if (id == nullptr || !id->is_string() || id->get_string().empty() ||
        !read_graphql_operation(payload, request)) {
      session->close_with(4400, "Invalid subscribe message");
      co_return;
    }
    const std::string key(id->get_string());
    if (session->operations.contains(key)) {
      session->close_with(4409, "Subscriber for " + key + " already exists");
      co_return;
    }
    start_operation(session, key, std::move(request));
  } else if (type == "complete") {
    const json::value* id = message.if_contains("id");
    if (id == nullptr || !id->is_string()) {
      session->close_with(4400, "Invalid complete message");
      co_return;
    }
    // An unknown id is one that already completed: ignored, as the protocol allows.
    if (auto it = session->operations.find(std::string(id->get_string()));
        it != session->operations.end()) {
      it->second.stop();
      session->operations.erase(it);
    }
  } else {
    session->close_with(4400, "Unexpected message of type " + std::string(type) + " received");
  }
}

// One message of the legacy graphql-ws protocol (subscriptions-transport-ws).
asio::awaitable<void> on_legacy_message(std::shared_ptr<Session> session,
                                        const json::object& message) {
  const std::string_view type = message.at("type").get_string();
  const json::value* payload = message.if_contains("payload");
  const json::value* id = message.if_contains("id");
  const bool has_id = id != nullptr && id->is_string() && !id->get_string().empty();
  auto error = [&](std::string_view text) {
    std::string out = R"({"type":"error",)";
    if (has_id) out += R"("id":)" + json_text(id->get_string()) + ",";
    out += R"("payload":{"message":)" + json_text(text) + "}}";
    session->send(std::move(out));
  };
  if (type == "connection_init") {
    if (session->init_received) {
      session->close_with(4429, "Too many initialisation requests");
      co_return;
    }
    session->init_received = true;
    session->init_timer.cancel();
    co_await initialise(session, payload);
  } else if (type == "start") {
    graphql::LiveQueryRequest request;
    if (!session->acknowledged) {
      error("The connection was not initialised.");
    } else if (!has_id || !read_graphql_operation(payload, request)) {
      error("Invalid start message.");
    } else {
      const std::string key(id->get_string());
      // As subscriptions-transport-ws does: a start with an id in use replaces that operation.
      if (auto it = session->operations.find(key); it != session->operations.end()) {
        it->second.stop();
        session->operations.erase(it);
      }
      start_operation(session, key, std::move(request));
    }
  } else if (type == "stop") {
    if (has_id) {
      if (auto it = session->operations.find(std::string(id->get_string()));
          it != session->operations.end()) {
        it->second.stop();
        session->operations.erase(it);
        session->send(R"({"id":)" + json_text(id->get_string()) + R"(,"type":"complete"})");
      }
    }
  } else if (type == "connection_terminate") {
    session->close_with(1000, "");
  } else {
    error("Invalid message type.");
  }
}

// The session after the handshake: reads until the client leaves or a close was asked for.
asio::awaitable<void> read_loop(std::shared_ptr<Session> session, WsStream& ws) {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  while (!session->close && !session->ending) {
    buffer.clear();
    co_await ws.async_read(buffer, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || session->close || session->ending) break;
    if (!ws.got_text()) {
      session->close_with(4400, "Messages must be text");
      break;
    }
    const std::string_view text(static_cast<const char*>(buffer.data().data()),
                                buffer.data().size());
    json::value parsed = json::parse(text, ec);
    if (ec || !parsed.is_object() || !parsed.get_object().contains("type") ||
        !parsed.get_object().at("type").is_string()) {
      if (session->protocol == WsProtocol::kLegacy) {
        session->send(R"({"type":"error","payload":{"message":"Invalid message."}})");
        ec.clear();
        continue;
      }
      session->close_with(4400, "Invalid message received");
      break;
    }
    if (session->protocol == WsProtocol::kLegacy) {
      co_await on_legacy_message(session, parsed.get_object());
    } else {
      co_await on_transport_message(session, parsed.get_object());
    }
  }
}

asio::awaitable<void> run_session(std::shared_ptr<Session> session, tcp::socket& socket,
                                  beast::http::request<beast::http::empty_body> upgrade,
                                  std::size_t max_message, std::string protocol_name) {
  const auto gated = std::make_shared<WsGatedSocket>(socket);
  WsStream ws(*gated);
  websocket::stream_base::timeout timeouts;
  timeouts.handshake_timeout = std::chrono::seconds(10);
  timeouts.idle_timeout = std::chrono::seconds(60);
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.set_option(websocket::stream_base::decorator([protocol_name](websocket::response_type& res) {
    if (!protocol_name.empty()) res.set(beast::http::field::sec_websocket_protocol, protocol_name);
    res.set(beast::http::field::server, "basalt");
  }));
  ws.read_message_max(max_message);
  ws.text(true);
  boost::system::error_code ec;
  co_await ws.async_accept(upgrade, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  if (session->protocol == WsProtocol::kNone) {
    // graphql-transport-ws: a socket without the sub-protocol is closed with 4406.
    const websocket::close_reason reason(static_cast<websocket::close_code>(4406),
                                         "Subprotocol not acceptable");
    co_await ws.async_close(reason, asio::redirect_error(asio::use_awaitable, ec));
    co_return;
  }
  session->socket = gated.get();
  asio::co_spawn(ws.get_executor(), write_loop(session, ws, *gated), asio::detached);
  if (session->protocol == WsProtocol::kTransport) {
    asio::co_spawn(ws.get_executor(), init_deadline(session), asio::detached);
  }
  co_await read_loop(session, ws);

  // The end: no operation sends again, the writer sends what is queued (and the close frame
  // asked for), then the socket is the connection's again.
  session->stop_operations();
  session->init_timer.cancel();
  session->ending = true;
  session->wake.cancel();
  while (!session->writer_done) {
    session->writer_finished.expires_at(asio::steady_timer::time_point::max());
    co_await session->writer_finished.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  session->socket = nullptr;
}

}  // namespace

bool is_websocket_upgrade(const http::Request& request) {
  const std::optional<std::string_view> upgrade = request.header("Upgrade");
  return upgrade && list_has_token(*upgrade, "websocket");
}

void graphql_ws_upgrade(const Services& services, const auth::AuthContext& auth,
                        const http::Request& request, http::Response& response) {
  (void)auth;  // connection_init authenticates (the upgrade's header is its fallback token)
  WsProtocol protocol = WsProtocol::kNone;
  std::string protocol_name;
  if (const auto offered = request.header("Sec-WebSocket-Protocol")) {
    if (list_has_token(*offered, kTransportWs)) {
      protocol = WsProtocol::kTransport;
      protocol_name = kTransportWs;
    } else if (list_has_token(*offered, kLegacyWs)) {
      protocol = WsProtocol::kLegacy;
      protocol_name = kLegacyWs;
    } else {
      response.json(
          400,
          R"({"status":400,"message":"Unsupported WebSocket sub-protocol: use graphql-transport-ws or graphql-ws.","data":{}})");
      return;
    }
  }
  // What Beast's handshake reads, copied: the request itself is released before the stream.
  beast::http::request<beast::http::empty_body> upgrade;
  upgrade.method(beast::http::verb::get);
  upgrade.target(std::string(request.target()));
  upgrade.version(11);
  request.for_each_header(
      [&upgrade](std::string_view name, std::string_view value) { upgrade.insert(name, value); });

  const std::size_t max_message = graphql_max_body_bytes(
      static_cast<std::int64_t>(graphql_request_policy(services).limits.max_document_bytes));
  const std::string authorization(request.header("Authorization").value_or(""));
  const std::string ip(client_ip(request));
  const QueryParams params = query_params(request);
  query::RequestInfo info = request_info(request, params);
  response.upgrade([&services, protocol, protocol_name, upgrade, max_message, authorization, ip,
                    info](tcp::socket& socket) -> asio::awaitable<void> {
    auto session = std::make_shared<Session>(services, socket.get_executor(), protocol);
    session->max_queued_bytes = services.realtime.config().send_buffer;
    session->upgrade_authorization = authorization;
    session->client_ip = ip;
    session->info = info;
    const SubscriptionClientCount open_stream;
    co_await run_session(session, socket, upgrade, max_message, protocol_name);
  });
}

}  // namespace basalt::api
