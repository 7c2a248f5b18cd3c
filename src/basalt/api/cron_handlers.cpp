#include "basalt/api/cron_handlers.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/api/query_params.hpp"
#include "basalt/core/api_error.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

// The longest id a cron may have here: longer path values cannot name one (and are not
// copied into the queue).
constexpr std::size_t kMaxCronId = 200;

}  // namespace

boost::asio::awaitable<void> list_crons(const Services& services, const auth::AuthContext&,
                                        http::Request&, http::Response& response) {
  json::array out;
  for (const jobs::CronEntry& entry : services.crons.list()) {
    out.push_back(json::object{{"id", entry.id}, {"expression", entry.expression}});
  }
  response.json(200, json::serialize(out));
  co_return;
}

boost::asio::awaitable<void> run_cron(const Services& services, const auth::AuthContext&,
                                      http::Request& request, http::Response& response) {
  std::string id(request.param("id"));
  if (id.size() > kMaxCronId) throw core::ApiError::not_found("Missing or invalid cron job.");
  const bool found = co_await services.crons.run_now(std::move(id));
  if (!found) throw core::ApiError::not_found("Missing or invalid cron job.");
  response.content(204, "", "");
}

boost::asio::awaitable<void> list_jobs(const Services& services, const auth::AuthContext&,
                                       http::Request& request, http::Response& response) {
  const QueryParams params = query_params(request);
  std::string state = param_or(params, "state");
  if (!state.empty() && state != "queued" && state != "running" && state != "failed" &&
      state != "done") {
    throw core::ApiError::bad_request(
        "state must be one of queued, running, failed or done.",
        json::object{{"state", json::object{{"code", "validation_invalid_value"},
                                            {"message", "Invalid value."}}}});
  }
  const std::int64_t limit = int_param(params, "limit", 100);
  if (limit < 1 || limit > 500) {
    throw core::ApiError::bad_request(
        "limit must be between 1 and 500.",
        json::object{{"limit", json::object{{"code", "validation_invalid_value"},
                                            {"message", "Invalid value."}}}});
  }
  const std::vector<jobs::JobRow> rows =
      co_await services.jobs.list(std::move(state), static_cast<std::size_t>(limit));
  json::array out;
  for (const jobs::JobRow& row : rows) {
    out.push_back(json::object{{"id", row.id},
                               {"kind", row.kind},
                               {"state", row.state},
                               {"runAt", row.run_at},
                               {"attempts", row.attempts},
                               {"maxAttempts", row.max_attempts},
                               {"lastError", row.last_error},
                               {"created", row.created},
                               {"updated", row.updated}});
  }
  response.json(200, json::serialize(out));
}

}  // namespace basalt::api
