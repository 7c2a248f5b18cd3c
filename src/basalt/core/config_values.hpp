// Parsers for the value syntaxes that settings use (see the value types in settings.hpp).
//
// Contract: each parser takes the text exactly as a flag, an environment variable or the TOML
// file gave it, after load_config has trimmed surrounding whitespace, and either returns the
// value or throws ConfigError. The message quotes the text and says what is expected, but does
// not name the setting or its source: load_config adds those. Parsers are pure and
// thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/config.hpp"

namespace basalt::core {

struct HostPort {
  std::string host;  // an IP literal; IPv6 without its brackets, e.g. "::1"
  std::uint16_t port = 0;
};

// "IPV4:PORT" or "[IPV6]:PORT"; the host must be an IP literal (no name lookup), PORT 0..65535.
HostPort parse_host_port(std::string_view text);

// A decimal integer in [min, max]; no sign, no suffix.
std::uint64_t parse_uint(std::string_view text, std::uint64_t min, std::uint64_t max);

// Bytes: a decimal integer with an optional unit B, KiB, MiB or GiB (powers of 1024, case
// insensitive, optional space before the unit). At least `min`; overflow is an error.
std::size_t parse_size(std::string_view text, std::size_t min);

// A decimal integer with an optional unit ms, s, m or h; no unit means seconds. Must be > 0
// unless `zero_allowed` (a setting where 0 means "off").
std::chrono::milliseconds parse_duration(std::string_view text, bool zero_allowed = false);

// true/false, 1/0, yes/no; case insensitive.
bool parse_bool(std::string_view text);

// One of the '|'-separated `choices` (e.g. "text|json"), case insensitive; returns its index.
std::size_t parse_choice(std::string_view text, std::string_view choices);

// A non-empty path, returned unchanged.
std::string parse_path(std::string_view text);

// Comma-separated CORS origins: each entry "*" or scheme://host[:port] (no path), surrounding
// spaces ignored, scheme and host lower-cased. Empty text gives an empty list (CORS off).
std::vector<std::string> parse_origins(std::string_view text);

// Comma-separated IP addresses or CIDR subnets ("10.0.0.0/8", "::1", "fd00::/8"), surrounding
// spaces ignored; empty text gives an empty list.
std::vector<std::string> parse_address_list(std::string_view text);

// A bearer token: empty (none), or 16 to 256 printable ASCII characters without spaces.
std::string parse_token(std::string_view text);
// A ratio from 0 to 1 ("0.01", "1", "0"), written as a plain decimal number.
double parse_ratio(std::string_view text);
// An http:// or https:// URL of at most 2,048 printable characters without spaces.
std::string parse_http_url(std::string_view text);

// "16KiB" for 16384, "1000B" for 1000: the largest unit that divides `bytes` exactly.
std::string format_size(std::size_t bytes);

}  // namespace basalt::core
