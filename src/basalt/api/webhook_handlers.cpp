#include "basalt/api/webhook_handlers.hpp"

#include <boost/json/serialize.hpp>

#include "basalt/api/query_params.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/brokers/broker_destination.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/events/destination_spec.hpp"

namespace basalt::api {

namespace json = boost::json;

namespace {

// `/api/webhooks/...` manages webhooks; `/api/brokers/{type}/...` the broker connectors of that
// type (docs/brokers.md). An unknown type is a 404, as an unknown route would be.
std::string destination_type(const http::Request& request) {
  const std::string_view type = request.param("type");
  if (type.empty()) return std::string(events::kWebhookType);
  if (!brokers::is_broker_type(type)) {
    throw core::ApiError(404, "The requested resource wasn't found.");
  }
  return std::string(type);
}

}  // namespace

boost::asio::awaitable<void> list_webhooks(const Services& services, const auth::AuthContext&,
                                           http::Request& request, http::Response& response) {
  std::string type = destination_type(request);
  json::array items = co_await services.destinations.list(std::move(type));
  json::object page;
  page["page"] = 1;
  page["perPage"] = items.size();
  page["totalItems"] = items.size();
  page["totalPages"] = items.empty() ? 0 : 1;
  page["items"] = std::move(items);
  response.json(200, json::serialize(page));
}

boost::asio::awaitable<void> create_webhook(const Services& services, const auth::AuthContext&,
                                            http::Request& request, http::Response& response) {
  json::object body = request_body(request).data;
  std::string type = destination_type(request);
  json::object created = co_await services.destinations.create(std::move(type), std::move(body));
  response.json(200, json::serialize(created));
}

boost::asio::awaitable<void> view_webhook(const Services& services, const auth::AuthContext&,
                                          http::Request& request, http::Response& response) {
  std::string type = destination_type(request);
  std::string id(request.param("id"));
  json::object found = co_await services.destinations.view(std::move(type), std::move(id));
  response.json(200, json::serialize(found));
}

boost::asio::awaitable<void> update_webhook(const Services& services, const auth::AuthContext&,
                                            http::Request& request, http::Response& response) {
  json::object body = request_body(request).data;
  std::string type = destination_type(request);
  std::string id(request.param("id"));
  json::object updated =
      co_await services.destinations.update(std::move(type), std::move(id), std::move(body));
  response.json(200, json::serialize(updated));
}

boost::asio::awaitable<void> delete_webhook(const Services& services, const auth::AuthContext&,
                                            http::Request& request, http::Response& response) {
  std::string type = destination_type(request);
  std::string id(request.param("id"));
  co_await services.destinations.remove(std::move(type), std::move(id));
  response.content(204, {}, {});
}

boost::asio::awaitable<void> list_webhook_deliveries(const Services& services,
                                                     const auth::AuthContext&,
                                                     http::Request& request,
                                                     http::Response& response) {
  const QueryParams params = query_params(request);
  const std::int64_t page = int_param(params, "page", 1);
  const std::int64_t per_page = int_param(params, "perPage", 30);
  const int page_number = static_cast<int>(std::clamp<std::int64_t>(page, 1, 1'000'000));
  const int page_size = static_cast<int>(std::clamp<std::int64_t>(per_page, 1, 500));
  std::string type = destination_type(request);
  std::string id(request.param("id"));
  json::object list = co_await services.destinations.deliveries(std::move(type), std::move(id),
                                                                page_number, page_size);
  response.json(200, json::serialize(list));
}

boost::asio::awaitable<void> redeliver_webhook_delivery(const Services& services,
                                                        const auth::AuthContext&,
                                                        http::Request& request,
                                                        http::Response& response) {
  std::string type = destination_type(request);
  std::string id(request.param("id"));
  std::string delivery(request.param("deliveryId"));
  co_await services.destinations.redeliver(std::move(type), std::move(id), std::move(delivery));
  response.content(204, {}, {});
}

}  // namespace basalt::api
