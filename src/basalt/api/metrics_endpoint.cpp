#include "basalt/api/metrics_endpoint.hpp"

#include <sodium.h>

#include <array>
#include <memory>
#include <string>

#include "basalt/api/request_auth.hpp"
#include "basalt/auth/sodium.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/metrics/scrape.hpp"
#include "basalt/metrics/thread_block.hpp"
#include "basalt/settings/rate_limit_rules.hpp"

namespace basalt::api {
namespace {

using Digest = std::array<unsigned char, crypto_generichash_BYTES>;

Digest digest_of(std::string_view text) {
  Digest out{};
  crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  return out;
}

// The token of `Authorization: Bearer <token>` (scheme case-insensitive), or empty.
std::string_view bearer_token(const http::Request& request) {
  const auto header = request.header("Authorization");
  if (!header || header->size() < 7) return {};
  std::string_view value = *header;
  const std::string_view scheme = value.substr(0, 7);
  static constexpr std::string_view kBearer = "bearer ";
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    const char c = scheme[i];
    if ((c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) != kBearer[i]) return {};
  }
  value.remove_prefix(7);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

// application/openmetrics-text anywhere in Accept (Prometheus sends it first, with a q-value,
// when it prefers OpenMetrics); otherwise the 0.0.4 text format.
metrics::Format format_of(const http::Request& request) {
  const auto accept = request.header("Accept");
  if (accept && accept->find("application/openmetrics-text") != std::string_view::npos) {
    return metrics::Format::kOpenMetrics;
  }
  return metrics::Format::kPrometheus;
}

}  // namespace

bool token_matches(std::string_view presented, std::string_view expected) {
  if (expected.empty()) return false;
  auth::init_sodium();
  const Digest a = digest_of(presented);
  const Digest b = digest_of(expected);
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

http::Handler metrics_endpoint(const Services& services, core::MetricsConfig config) {
  auto shared = std::make_shared<const core::MetricsConfig>(std::move(config));
  return [&services, shared](http::Request& request,
                             http::Response& response) -> boost::asio::awaitable<void> {
    const core::MetricsConfig& settings = *shared;
    if (!settings.enabled || !metrics::enabled()) throw core::ApiError(404);
    bool admitted = token_matches(bearer_token(request), settings.token) ||
                    settings::ip_in_list(peer_ip(request), settings.allow);
    if (!admitted) {
      // A superuser's JWT, with settings.superuserIPs as on every route. A metrics token that
      // did not match is not a JWT either, so it makes the caller a guest.
      const std::shared_ptr<const settings::AppSettings> app = services.settings.current();
      request.set_client_ip(resolve_client_ip(app->trusted_proxy, request));
      const auth::AuthContext auth = co_await request_auth(services, request);
      admitted =
          auth.is_superuser() && (app->superuser_ips.empty() ||
                                  settings::ip_in_list(client_ip(request), app->superuser_ips));
    }
    if (!admitted) {
      throw core::ApiError(401, "The request requires a metrics token or superuser authorization.");
    }
    metrics::ScrapeResult page = metrics::scrape(format_of(request));
    response.content(200, page.content_type, page.body);
    response.add_header("Cache-Control", "no-store");
  };
}

}  // namespace basalt::api
