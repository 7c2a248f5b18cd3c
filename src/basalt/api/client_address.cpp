#include "basalt/api/client_address.hpp"

#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <vector>

namespace basalt::api {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The canonical text of an IP address, or nothing when `text` is not one. IPv4 in dotted form;
// IPv6 as eight four-digit lowercase groups (a zone such as "%eth0" is dropped).
std::optional<std::string> canonical_ip(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string copy(text.substr(0, text.find('%')));
  std::array<unsigned char, 16> bytes{};
  if (::inet_pton(AF_INET, copy.c_str(), bytes.data()) == 1) {
    char out[INET_ADDRSTRLEN];
    if (::inet_ntop(AF_INET, bytes.data(), out, sizeof out) == nullptr) return std::nullopt;
    return std::string(out);
  }
  if (::inet_pton(AF_INET6, copy.c_str(), bytes.data()) == 1) {
    std::string out;
    out.reserve(39);
    char group[5];
    for (std::size_t i = 0; i < 16; i += 2) {
      if (i > 0) out.push_back(':');
      std::snprintf(group, sizeof group, "%02x%02x", bytes[i], bytes[i + 1]);
      out.append(group, 4);
    }
    return out;
  }
  return std::nullopt;
}

// The last line of header `name`, if any line of it is present.
std::optional<std::string_view> last_line_of(const http::Request& request, std::string_view name) {
  std::optional<std::string_view> last;
  request.for_each_header([&](std::string_view header, std::string_view value) {
    if (header.size() != name.size()) return;
    for (std::size_t i = 0; i < name.size(); ++i) {
      const auto a = static_cast<unsigned char>(header[i]);
      const auto b = static_cast<unsigned char>(name[i]);
      if (std::tolower(a) != std::tolower(b)) return;
    }
    last = value;
  });
  return last;
}

std::optional<std::string> ip_from_list(std::string_view list, bool leftmost) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto comma = list.find(',');
    parts.push_back(trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (leftmost) {
    for (std::string_view part : parts) {
      if (auto ip = canonical_ip(part)) return ip;
    }
  } else {
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      if (auto ip = canonical_ip(*it)) return ip;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view peer_ip(const http::Request& request) {
  std::string_view remote = request.remote_address();
  const auto colon = remote.rfind(':');
  if (colon != std::string_view::npos) remote = remote.substr(0, colon);
  // "[::1]:5000" keeps its brackets in the peer form; the address itself has none.
  if (remote.size() >= 2 && remote.front() == '[' && remote.back() == ']') {
    remote = remote.substr(1, remote.size() - 2);
  }
  return remote;
}

std::string resolve_client_ip(const settings::TrustedProxySettings& proxy,
                              const http::Request& request) {
  for (const std::string& name : proxy.headers) {
    const auto line = last_line_of(request, name);
    if (!line || line->empty()) continue;
    if (auto ip = ip_from_list(*line, proxy.use_leftmost_ip)) return std::move(*ip);
  }
  return std::string(peer_ip(request));
}

std::string_view client_ip(const http::Request& request) {
  const std::string& resolved = request.client_ip();
  return resolved.empty() ? peer_ip(request) : std::string_view(resolved);
}

}  // namespace basalt::api
