#include "basalt/api/graphql_sse_stream.hpp"

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <cerrno>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "basalt/api/client_address.hpp"
#include "basalt/api/graphql_handler.hpp"
#include "basalt/api/graphql_operation.hpp"
#include "basalt/api/graphql_running_operation.hpp"
#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/subscription_metrics.hpp"
#include "basalt/core/api_error.hpp"

namespace basalt::api {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What the LiveQuery's sink shares with the stream. Worker thread only; `socket` is null once
// the stream has returned.
struct SseStream {
  explicit SseStream(asio::any_io_executor executor) : wake(executor), writer_finished(executor) {}

  asio::steady_timer wake;             // the writer waits on it; cancel() wakes it
  asio::steady_timer writer_finished;  // the stream waits on it for the writer's end
  tcp::socket* socket = nullptr;
  // Events to write, in order, each from `offset` on (a send that took part of one); a `next`
  // may be the same object in many streams' queues (shared_next_event()).
  struct Outgoing {
    std::shared_ptr<const std::string> text;
    std::size_t offset = 0;
  };
  std::deque<Outgoing> queue;
  std::size_t queued_bytes = 0;
  std::size_t max_queued_bytes = 0;
  bool completed = false;  // the operation is over: the writer ends after the queue
  bool ending = false;     // the client left: the writer ends now
  bool writer_done = false;
  bool writing = false;  // the writer's write is in flight

  // False when the event is lost: the stream is ending, or this event dropped it.
  bool send(std::string event) {
    return send(std::make_shared<const std::string>(std::move(event)));
  }
  // With nothing queued or being written the event goes to the kernel at once, in the caller's
  // pass (one non-blocking send(2)); what the kernel does not take waits for the writer.
  bool send(std::shared_ptr<const std::string> event) {
    if (ending) return false;
    std::size_t offset = 0;
    if (queue.empty() && !writing && socket != nullptr && socket->is_open()) {
      ssize_t sent;
      do {
        sent = ::send(socket->native_handle(), event->data(), event->size(),
                      MSG_DONTWAIT | MSG_NOSIGNAL);
      } while (sent < 0 && errno == EINTR);
      if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        // The client is gone: the stream's read sees the closed socket and ends it.
        ending = true;
        boost::system::error_code ec;
        socket->close(ec);
        wake.cancel();
        return false;
      }
      offset = sent > 0 ? static_cast<std::size_t>(sent) : 0;
      if (offset == event->size()) return true;
    }
    queued_bytes += event->size() - offset;
    queue.push_back(Outgoing{std::move(event), offset});
    bool kept = true;
    if (queued_bytes > max_queued_bytes) {
      ending = true;  // a client that does not read is dropped, as realtime drops one
      kept = false;
      boost::system::error_code ec;
      if (socket != nullptr) socket->close(ec);
    }
    wake.cancel();
    return kept;
  }
};

// The principal the operation runs as: the request's auth, re-resolved from `token` before
// every run (graphql_stream_recheck); shared with the LiveQuery as its caller's keep-alive.
struct StreamCaller {
  auth::AuthContext auth;
  std::string client_ip;
  std::string token;  // the request's Authorization
};

records::Caller stream_caller_of(const StreamCaller& state) {
  records::Caller caller;
  caller.client_address = state.client_ip;
  if (!state.auth.is_guest()) {
    caller.collection = state.auth.collection.get();
    caller.record = state.auth.record.get();
  }
  return caller;
}

// The principal as it is now: kept while the authenticator says it still holds (token
// unexpired, cache entry unchanged: Authenticator::still_holds), else the request's token
// authenticated again (the per-worker cache answers without a read while the record is
// unchanged); nullopt when it no longer does. `latest` is the principal the previous check
// returned (worker thread only); a renewed one replaces it.
asio::awaitable<std::optional<graphql::LiveCaller>> graphql_stream_recheck(
    const Services& services, std::shared_ptr<std::shared_ptr<const StreamCaller>> latest) {
  std::shared_ptr<const StreamCaller> current = *latest;
  const std::chrono::system_clock::time_point now = services.clock.now();
  if (services.authenticator.still_holds(current->auth, now)) {
    graphql::LiveCaller kept{stream_caller_of(*current), current};
    co_return kept;
  }
  const std::string token = current->token;
  auth::AuthContext context = co_await services.authenticator.authenticate(token, now);
  if (context.is_guest()) co_return std::nullopt;
  if (context.record != current->auth.record) {
    auto renewed = std::make_shared<StreamCaller>();
    renewed->auth = std::move(context);
    renewed->client_ip = current->client_ip;
    renewed->token = current->token;
    current = std::move(renewed);
    *latest = current;
  }
  graphql::LiveCaller now_caller{stream_caller_of(*current), current};
  co_return now_caller;
}

asio::awaitable<void> sse_write_loop(std::shared_ptr<SseStream> stream, tcp::socket& socket) {
  boost::system::error_code ec;
  for (;;) {
    if (!stream->queue.empty() && !stream->ending) {
      // Held here while written: other streams may hold and write the same event.
      const SseStream::Outgoing next = std::move(stream->queue.front());
      stream->queue.pop_front();
      stream->queued_bytes -= next.text->size() - next.offset;
      stream->writing = true;
      co_await asio::async_write(socket, asio::buffer(*next.text) + next.offset,
                                 asio::redirect_error(asio::use_awaitable, ec));
      stream->writing = false;
      if (ec) break;
      continue;
    }
    if (stream->completed || stream->ending) break;
    stream->wake.expires_at(asio::steady_timer::time_point::max());
    co_await stream->wake.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
  stream->writer_done = true;
  stream->writer_finished.cancel();
  // The operation is over (or the client gone): the connection's end tells the client.
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

std::string next_event(std::string_view result) {
  return "event: next\ndata: " + std::string(result) + "\n\n";
}

// The `next` event of a shared payload, built once for the streams a shared run's members
// (graphql::LivePayload) are delivered to in a row on this worker (as the WebSocket session's
// next_message()): the payload held weakly, the event strongly until the next payload.
std::shared_ptr<const std::string> shared_next_event(const graphql::LivePayload& payload) {
  struct Last {
    std::weak_ptr<const std::string> payload;
    std::shared_ptr<const std::string> event;
  };
  thread_local Last last;
  const std::shared_ptr<const std::string>& shared = payload.shared();
  if (shared && last.event && !last.payload.owner_before(shared) &&
      !shared.owner_before(last.payload)) {
    return last.event;
  }
  auto event = std::make_shared<const std::string>(next_event(payload.text()));
  if (shared) last = Last{shared, event};
  return event;
}

[[noreturn]] void refuse_stream_request(int status, std::string message) {
  throw core::ApiError(status, std::move(message));
}

}  // namespace

boost::asio::awaitable<void> graphql_stream(const Services& services, const auth::AuthContext& auth,
                                            http::Request& request, http::Response& response) {
  const graphql::RequestPolicy policy = graphql_request_policy(services);
  boost::json::value given;
  if (request.method() == http::Method::kPost) {
    const std::string_view body = request.body();
    if (body.size() >
        graphql_max_body_bytes(static_cast<std::int64_t>(policy.limits.max_document_bytes))) {
      refuse_stream_request(413, "The request body is too large.");
    }
    boost::system::error_code ec;
    given = boost::json::parse(body, ec);
    if (ec) refuse_stream_request(400, "The body is not a JSON object.");
  } else {
    const QueryParams params = query_params(request);
    boost::json::object object;
    if (auto it = params.find("query"); it != params.end()) object["query"] = it->second;
    if (auto it = params.find("operationName"); it != params.end()) {
      object["operationName"] = it->second;
    }
    for (const char* name : {"variables", "extensions"}) {
      auto it = params.find(name);
      if (it == params.end() || it->second.empty()) continue;
      boost::system::error_code ec;
      boost::json::value parsed = boost::json::parse(it->second, ec);
      if (ec) refuse_stream_request(400, std::string("\"") + name + "\" is not JSON.");
      object[name] = std::move(parsed);
    }
    given = std::move(object);
  }
  graphql::LiveQueryRequest operation;
  operation.over_get = request.method() != http::Method::kPost;
  if (!read_graphql_operation(&given, operation)) {
    refuse_stream_request(
        400,
        "The request needs a \"query\" string, and \"variables\" and \"extensions\" objects "
        "and \"operationName\" a string when given.");
  }

  auto caller_state = std::make_shared<StreamCaller>();
  caller_state->auth = auth;
  caller_state->client_ip = std::string(client_ip(request));
  caller_state->token = std::string(request.header("Authorization").value_or(""));
  const QueryParams params = query_params(request);
  query::RequestInfo info = request_info(request, params);
  response.add_header("Cache-Control", "no-cache");
  response.add_header("X-Accel-Buffering", "no");
  response.stream(
      200, "text/event-stream; charset=utf-8",
      [&services, caller_state, info, policy,
       operation](tcp::socket& socket) -> asio::awaitable<void> {
        const SubscriptionClientCount open_stream;
        auto stream = std::make_shared<SseStream>(socket.get_executor());
        stream->socket = &socket;
        stream->max_queued_bytes = services.realtime.config().send_buffer;
        const records::Caller caller = stream_caller_of(*caller_state);
        graphql::LiveQueryContext context{services.graphql,
                                          services.records.events(),
                                          caller,
                                          caller_state,
                                          info,
                                          policy,
                                          services.realtime.config().flush_interval};
        if (!caller_state->auth.is_guest()) {
          auto latest = std::make_shared<std::shared_ptr<const StreamCaller>>(caller_state);
          context.recheck = [&services, latest]() {
            return graphql_stream_recheck(services, latest);
          };
          context.recheck_held = [&services, latest]() -> std::optional<graphql::LiveCaller> {
            const std::shared_ptr<const StreamCaller>& current = *latest;
            if (!services.authenticator.still_holds(current->auth, services.clock.now())) {
              return std::nullopt;
            }
            return graphql::LiveCaller{stream_caller_of(*current), current};
          };
        }
        std::weak_ptr<SseStream> weak = stream;
        auto sink = [weak](graphql::LiveOutput output, graphql::LivePayload shared) {
          std::shared_ptr<SseStream> owner = weak.lock();
          if (!owner) return;
          const std::string& payload = shared.text();
          if (output == graphql::LiveOutput::kNext) {
            count_subscription_event(owner->send(shared_next_event(shared)));
            return;
          }
          if (output == graphql::LiveOutput::kError) {
            owner->send(next_event("{\"errors\":" + payload + "}"));
          } else if (output == graphql::LiveOutput::kRevoked) {
            // An error result then complete: a graphql-sse client stops there (a
            // bare end of the stream would make it reconnect and retry).
            owner->send(
                next_event(R"({"errors":[{"message":"The subscriber's authorization no longer )"
                           R"(holds.","extensions":{"code":"FORBIDDEN"}}]})"));
          }
          owner->send("event: complete\ndata: \n\n");
          owner->completed = true;
          owner->wake.cancel();
        };
        asio::co_spawn(socket.get_executor(), sse_write_loop(stream, socket), asio::detached);
        RunningOperation live = start_graphql_operation(
            services, socket.get_executor(), std::move(context), operation, std::move(sink));

        // Reads only to learn that the client left (or the server's drain closed
        // the socket); a client has nothing to send on an event stream.
        char scratch[512];
        boost::system::error_code ec;
        while (!stream->writer_done) {
          co_await socket.async_read_some(asio::buffer(scratch),
                                          asio::redirect_error(asio::use_awaitable, ec));
          if (ec) break;
        }
        live.stop();
        stream->ending = true;
        stream->wake.cancel();
        while (!stream->writer_done) {
          stream->writer_finished.expires_at(asio::steady_timer::time_point::max());
          co_await stream->writer_finished.async_wait(
              asio::redirect_error(asio::use_awaitable, ec));
        }
        stream->socket = nullptr;
      });
  co_return;
}

}  // namespace basalt::api
