#include "basalt/app/testing_clock.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <stdexcept>
#include <string_view>

#include "basalt/api/api_handler.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::app {
namespace {

constexpr const char* kVariable = "E2E_BASALT_MANUAL_CLOCK";

bool loopback_host(std::string_view host) {
  return host == "127.0.0.1" || host == "::1" || host == "[::1]" || host == "localhost";
}

}  // namespace

std::chrono::system_clock::time_point OffsetClock::now() const {
  return std::chrono::system_clock::now() +
         std::chrono::duration_cast<std::chrono::system_clock::duration>(
             std::chrono::nanoseconds(offset_.load(std::memory_order_relaxed)));
}

std::chrono::steady_clock::time_point OffsetClock::steady_now() const {
  return std::chrono::steady_clock::now();
}

void OffsetClock::set(std::chrono::system_clock::time_point at) noexcept {
  const auto offset = at - std::chrono::system_clock::now();
  offset_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(offset).count(),
                std::memory_order_relaxed);
}

std::unique_ptr<OffsetClock> testing_clock(const core::Config& config) {
  const char* value = std::getenv(kVariable);
  if (value == nullptr || std::string_view(value) != "1") return nullptr;
  if (!loopback_host(config.http_host)) {
    throw std::runtime_error(std::string(kVariable) +
                             "=1 is for the end-to-end tests only and needs a loopback listen "
                             "address, not '" +
                             config.http_host + "'");
  }
  spdlog::warn(
      "{}=1: TESTING ONLY - the date is controlled by POST /api/_testing/clock; never run a "
      "real server like this",
      kVariable);
  return std::make_unique<OffsetClock>();
}

http::Route testing_clock_route(const api::Services& services, OffsetClock& clock,
                                jobs::CronScheduler& crons) {
  auto handler = [&services, &clock, &crons](
                     http::Request& request,
                     http::Response& response) -> boost::asio::awaitable<void> {
    const auth::AuthContext auth = co_await api::request_auth(services, request);
    api::require_access(api::Access::kSuperuser, auth, request);
    const api::RequestBody body = api::request_body(request);
    const boost::json::value* unix_ms = body.data.if_contains("unixMs");
    if (!unix_ms || !unix_ms->is_number()) {
      throw core::ApiError::bad_request("Give unixMs, the date to set in Unix milliseconds.");
    }
    const auto at = std::chrono::system_clock::time_point(
        std::chrono::milliseconds(static_cast<std::int64_t>(unix_ms->to_number<double>())));
    clock.set(at);
    // tick() blocks for its enqueue writes: never on the worker.
    co_await services.blocking.run([&crons, &clock] { crons.tick(clock.now()); });
    boost::json::object answer{{"now", schema::format_datetime(clock.now())}};
    response.json(200, boost::json::serialize(answer));
  };
  return {http::Method::kPost, "/api/_testing/clock", std::move(handler)};
}

}  // namespace basalt::app
