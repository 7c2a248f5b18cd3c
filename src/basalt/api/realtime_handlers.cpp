#include "basalt/api/realtime_handlers.hpp"

#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/realtime/topic.hpp"

namespace basalt::api {
namespace {

constexpr std::size_t kMaxClientIdLength = 255;

core::ApiError invalid_client_id(std::string_view code, std::string_view message) {
  return core::ApiError::bad_request(
      "Something went wrong while processing your request.",
      boost::json::object{{"clientId", boost::json::object{{"code", code}, {"message", message}}}});
}

}  // namespace

boost::asio::awaitable<void> connect_realtime(const Services& services,
                                              const auth::AuthContext& /*auth*/,
                                              http::Request& request, http::Response& response) {
  auto slot = services.realtime.reserve_client();
  if (!slot) {
    throw core::ApiError(503, "Too many realtime clients, try again later.");
  }
  response.add_header("Cache-Control", "no-store");
  response.add_header("X-Accel-Buffering", "no");
  response.stream(200, "text/event-stream; charset=UTF-8",
                  [&broker = services.realtime, ip = std::string(client_ip(request)),
                   slot = std::move(slot)](boost::asio::ip::tcp::socket& socket) mutable {
                    return broker.serve(socket, ip, std::move(slot));
                  });
  co_return;
}

boost::asio::awaitable<void> set_realtime_subscriptions(const Services& services,
                                                        const auth::AuthContext& auth,
                                                        http::Request& request,
                                                        http::Response& response) {
  const RequestBody body = request_body(request);
  const auto* id_value = body.data.if_contains("clientId");
  if (id_value == nullptr || !id_value->is_string() || id_value->get_string().empty()) {
    throw invalid_client_id("validation_required", "Missing required value.");
  }
  std::string client_id(id_value->get_string());
  if (client_id.size() > kMaxClientIdLength) {
    throw invalid_client_id("validation_length_too_long", "The length must be no more than 255.");
  }
  std::vector<realtime::Topic> topics =
      realtime::parse_topics(body.data.if_contains("subscriptions"));

  // A filter the caller may not use is refused now (403), not silently at every event.
  const records::Caller caller = caller_of(auth, request);
  for (const auto& topic : topics) {
    services.records.check_realtime_options(caller, topic.collection, topic.filter, topic.expand);
  }

  std::shared_ptr<const realtime::ClientAuth> client_auth;
  if (!auth.is_guest()) {
    client_auth = std::make_shared<const realtime::ClientAuth>(
        realtime::ClientAuth{auth.collection->id, std::string(auth.record_id()), auth.record});
  }
  // Named arguments, not temporaries of the co_await expression (GCC 12).
  std::string ip(client_ip(request));
  co_await services.realtime.set_subscriptions(std::move(client_id), std::move(ip),
                                               std::move(client_auth), std::move(topics));
  response.content(204, {}, {});
}

}  // namespace basalt::api
