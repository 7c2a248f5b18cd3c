#include "basalt/api/readiness.hpp"

#include <spdlog/spdlog.h>

#include <exception>

#include "basalt/core/api_error.hpp"

namespace basalt::api {

http::Handler readiness_endpoint(const Services& services, const ServingState& state) {
  return [&services, &state](http::Request&,
                             http::Response& response) -> boost::asio::awaitable<void> {
    if (!state.serving.load(std::memory_order_acquire)) {
      throw core::ApiError(503, "The server is starting or shutting down.");
    }
    if (services.backups.restore_staged()) {
      throw core::ApiError(503, "A backup restore is staged; the server is about to restart.");
    }
    bool answered = false;
    try {
      // Named locals, not temporaries, in the co_await (the GCC 12 rule, docs/architecture.md).
      const std::string_view probe = "SELECT 1";
      const db::Params no_params;
      const db::ReadOptions inline_read{};
      const db::ResultSet rows = co_await services.database.query(probe, no_params, inline_read);
      answered = rows.size() == 1;
    } catch (const std::exception& error) {
      spdlog::warn("readiness: the database did not answer: {}", error.what());
    }
    if (!answered) throw core::ApiError(503, "The database is unreachable.");
    response.json(200, R"({"message":"API is ready.","code":200,"data":{}})");
  };
}

}  // namespace basalt::api
