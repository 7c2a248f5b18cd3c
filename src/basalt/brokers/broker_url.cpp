#include "basalt/brokers/broker_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace basalt::brokers {

std::string BrokerUrl::redacted() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}/{}", scheme, ipv6 ? "[" : "", host, ipv6 ? "]" : "", port,
                     path);
}

std::optional<BrokerUrl> parse_broker_url(std::string_view text,
                                          std::initializer_list<std::string_view> schemes,
                                          std::uint16_t default_port, std::string& error) {
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) {
    error = "Must be a valid url.";
    return std::nullopt;
  }
  const boost::urls::url_view& url = *parsed;
  BrokerUrl result;
  result.scheme = std::string(url.scheme());
  std::transform(result.scheme.begin(), result.scheme.end(), result.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (std::find(schemes.begin(), schemes.end(), result.scheme) == schemes.end()) {
    std::string list;
    for (auto scheme : schemes) list += fmt::format("{}{}://", list.empty() ? "" : " or ", scheme);
    error = fmt::format("Must start with {}.", list);
    return std::nullopt;
  }
  if (!url.has_authority() || url.encoded_host().empty()) {
    error = "Must have a host.";
    return std::nullopt;
  }
  if (url.host_type() == boost::urls::host_type::ipv6) {
    result.host = std::string(url.host_ipv6_address().to_string());
  } else {
    result.host = url.host();
  }
  if (url.has_port()) {
    // Parsed here: Boost.URL's port_number() does not report a port above 65535.
    const std::string_view digits = url.port();
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port == 0 ||
        port > 65535) {
      error = "Must have a port between 1 and 65535.";
      return std::nullopt;
    }
    result.port = static_cast<std::uint16_t>(port);
  } else {
    result.port = default_port;
  }
  if (url.has_userinfo()) {
    result.user = url.user();
    result.has_password = url.has_password();
    result.password = url.password();
  }
  std::string path = url.path();
  if (!path.empty() && path.front() == '/') path.erase(0, 1);
  result.path = std::move(path);
  // A percent-encoded NUL would cut the C strings the client libraries take.
  for (const auto* part : {&result.host, &result.user, &result.password, &result.path}) {
    if (part->find('\0') != std::string::npos) {
      error = "Must not contain NUL characters.";
      return std::nullopt;
    }
  }
  if (url.has_query() || url.has_fragment()) {
    error = "Must not have a query or a fragment.";
    return std::nullopt;
  }
  return result;
}

}  // namespace basalt::brokers
