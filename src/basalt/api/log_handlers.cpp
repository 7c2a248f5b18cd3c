#include "basalt/api/log_handlers.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

#include "basalt/api/query_params.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/logs/log_queries.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {

boost::asio::awaitable<void> list_logs(const Services& services, const auth::AuthContext&,
                                       http::Request& request, http::Response& response) {
  request.note().skip_success = true;
  const QueryParams params = query_params(request);
  logs::LogListQuery list;
  list.page = int_param(params, "page", 1);
  list.per_page = int_param(params, "perPage", 30);
  list.filter = param_or(params, "filter");
  list.sort = param_or(params, "sort");
  list.skip_total = bool_param(params, "skipTotal");
  const auto now = services.clock.now();
  boost::json::object page =
      co_await logs::list_logs(services.logs, services.log_plans, std::move(list), now);
  response.json_list(200, schema::serialize_go_json(page));
}

boost::asio::awaitable<void> log_stats(const Services& services, const auth::AuthContext&,
                                       http::Request& request, http::Response& response) {
  request.note().skip_success = true;
  const QueryParams params = query_params(request);
  std::string filter = param_or(params, "filter");
  const auto now = services.clock.now();
  boost::json::array stats =
      co_await logs::log_stats(services.logs, services.log_plans, std::move(filter), now);
  response.json(200, schema::serialize_go_json(stats));
}

boost::asio::awaitable<void> view_log(const Services& services, const auth::AuthContext&,
                                      http::Request& request, http::Response& response) {
  request.note().skip_success = true;
  std::string id(request.param("id"));
  if (id.empty()) throw core::ApiError::not_found();
  std::optional<boost::json::object> entry = co_await logs::find_log(services.logs, std::move(id));
  if (!entry) throw core::ApiError::not_found();
  response.json(200, schema::serialize_go_json(*entry));
}

boost::asio::awaitable<void> truncate_logs(const Services& services, const auth::AuthContext&,
                                           http::Request& request, http::Response& response) {
  request.note().skip_success = true;
  bool failed = false;
  try {
    co_await services.logs.delete_all();
  } catch (const std::exception& error) {
    spdlog::error("request logs: truncating failed: {}", error.what());
    failed = true;
  }
  if (failed) throw core::ApiError(500, "Failed to truncate all logs.");
  response.content(204, {}, {});
}

}  // namespace basalt::api
