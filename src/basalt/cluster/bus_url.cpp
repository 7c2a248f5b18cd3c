#include "basalt/cluster/bus_url.hpp"

#include <charconv>
#include <stdexcept>

namespace basalt::cluster {
namespace {

constexpr std::string_view kDefaultChannel = "basalt_cluster";
constexpr std::size_t kMaxChannelBytes = 200;

bool channel_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

}  // namespace

std::string BusEndpoint::masked() const {
  std::string out = scheme + "://";
  if (!user.empty() || !password.empty()) out += user + (password.empty() ? "@" : ":***@");
  out += host + ":" + std::to_string(port) + "/" + channel;
  return out;
}

BusEndpoint parse_bus_url(std::string_view url) {
  BusEndpoint endpoint;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    throw std::invalid_argument("expected redis://HOST[:PORT] or nats://HOST[:PORT]");
  }
  endpoint.scheme = std::string(url.substr(0, scheme_end));
  if (endpoint.scheme != "redis" && endpoint.scheme != "nats") {
    throw std::invalid_argument("expected a redis:// or nats:// URL");
  }
  endpoint.port = endpoint.scheme == "redis" ? 6379 : 4222;
  std::string_view rest = url.substr(scheme_end + 3);
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view channel =
      slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view credentials = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = credentials.find(':');
    endpoint.user = std::string(credentials.substr(0, colon));
    if (colon != std::string_view::npos) {
      endpoint.password = std::string(credentials.substr(colon + 1));
    }
  }
  std::string_view host = authority;
  if (const std::size_t colon = authority.rfind(':');
      colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    const std::string_view port = authority.substr(colon + 1);
    int value = 0;
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (error != std::errc{} || end != port.data() + port.size() || value < 1 || value > 65535) {
      throw std::invalid_argument("expected a port from 1 to 65535 in the bus URL");
    }
    endpoint.port = value;
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) throw std::invalid_argument("expected a host in the bus URL");
  endpoint.host = std::string(host);
  if (channel.empty()) channel = kDefaultChannel;
  if (channel.size() > kMaxChannelBytes) {
    throw std::invalid_argument("expected a bus channel of at most 200 bytes");
  }
  for (char c : channel) {
    if (!channel_char(c)) {
      throw std::invalid_argument("expected a bus channel of letters, digits, '_', '-' and '.'");
    }
  }
  endpoint.channel = std::string(channel);
  return endpoint;
}

}  // namespace basalt::cluster
