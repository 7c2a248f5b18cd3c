// The connection URL of a broker (amqp://, nats://, redis://), parsed once when a destination
// is configured (docs/brokers.md). Credentials live only in this struct, never in a log line or
// a delivery detail: use `redacted()` for anything a human reads.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace basalt::brokers {

struct BrokerUrl {
  std::string scheme;  // lower case, one of the allowed ones
  std::string host;    // without brackets for IPv6
  std::uint16_t port = 0;
  std::string user;      // percent-decoded; empty when absent
  std::string password;  // percent-decoded; empty when absent
  bool has_password = false;
  std::string path;  // percent-decoded, without the leading '/' ("" when absent)

  // scheme://host:port/path, credentials left out.
  std::string redacted() const;
};

// Parses `text` as an absolute URL with one of `schemes` and a host; `default_port` when it has
// none. On failure returns nullopt and sets `error` to a message for the "url" field.
std::optional<BrokerUrl> parse_broker_url(std::string_view text,
                                          std::initializer_list<std::string_view> schemes,
                                          std::uint16_t default_port, std::string& error);

}  // namespace basalt::brokers
