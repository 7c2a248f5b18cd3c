#include "basalt/core/config_values.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <utility>

namespace basalt::core {
namespace {

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint16_t kMaxPort = 65535;

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Parses all of `digits` as a decimal number. False when it is not one; `overflow` tells a
// too-large number apart from a malformed one.
bool read_decimal(std::string_view digits, std::uint64_t& value, bool& overflow) {
  overflow = false;
  if (digits.empty()) return false;
  for (char c : digits) {
    if (!is_digit(c)) return false;
  }
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range) {
    overflow = true;
    return false;
  }
  return ec == std::errc{} && end == digits.data() + digits.size();
}

// Splits "123 KiB" into {"123", "KiB"}.
std::pair<std::string_view, std::string_view> split_number(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  return {text.substr(0, i), trim_spaces(text.substr(i))};
}

[[noreturn]] void fail(std::string_view text, std::string_view what) {
  throw ConfigError(fmt::format("\"{}\" {}", text, what));
}

std::uint16_t parse_port(std::string_view whole, std::string_view port, std::string_view usage) {
  std::uint64_t value = 0;
  bool overflow = false;
  if (!read_decimal(port, value, overflow) || value > kMaxPort) fail(whole, usage);
  return static_cast<std::uint16_t>(value);
}

bool is_ipv4(const std::string& host) {
  in_addr addr{};
  return inet_pton(AF_INET, host.c_str(), &addr) == 1;
}

bool is_ipv6(const std::string& host) {
  in6_addr addr{};
  return inet_pton(AF_INET6, host.c_str(), &addr) == 1;
}

// Host part of an origin: a DNS name / IPv4 literal, or a bracketed IPv6 literal.
bool is_origin_host(std::string_view host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    return is_ipv6(std::string(host.substr(1, host.size() - 2)));
  }
  if (host.empty()) return false;
  for (char c : host) {
    if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '.') return false;
  }
  return true;
}

std::string parse_origin(std::string_view entry) {
  constexpr std::string_view kUsage =
      "is not an origin (use * or scheme://host[:port] with no path, e.g. https://example.com)";
  if (entry == "*") return std::string(entry);
  std::size_t sep = entry.find("://");
  if (sep == std::string_view::npos || sep == 0 || !is_alpha(entry[0])) fail(entry, kUsage);
  std::string_view scheme = entry.substr(0, sep);
  for (char c : scheme) {
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.') fail(entry, kUsage);
  }
  std::string_view authority = entry.substr(sep + 3);
  std::string_view host = authority;
  std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    if (parse_port(entry, authority.substr(colon + 1), kUsage) == 0) fail(entry, kUsage);
  }
  if (!is_origin_host(host)) fail(entry, kUsage);
  return ascii_lower(entry);
}

}  // namespace

HostPort parse_host_port(std::string_view text) {
  constexpr std::string_view kUsage =
      "is not an address (use IP:PORT, e.g. 127.0.0.1:8090, 0.0.0.0:8090 or [::1]:8090)";
  HostPort result;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    std::size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      fail(text, kUsage);
    }
    result.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
    if (!is_ipv6(result.host)) fail(text, kUsage);
  } else {
    std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) fail(text, kUsage);
    result.host = std::string(text.substr(0, colon));
    port = text.substr(colon + 1);
    if (!is_ipv4(result.host)) fail(text, kUsage);
  }
  result.port = parse_port(text, port, kUsage);
  return result;
}

std::uint64_t parse_uint(std::string_view text, std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  bool overflow = false;
  if (!read_decimal(text, value, overflow) && !overflow) fail(text, "is not a whole number");
  if (overflow || value < min || value > max) {
    fail(text, fmt::format("is out of range ({} to {})", min, max));
  }
  return value;
}

std::size_t parse_size(std::string_view text, std::size_t min) {
  constexpr std::string_view kUsage = "is not a size (use bytes or a KiB/MiB/GiB suffix)";
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 5> kUnits{{
      {"", 1},
      {"b", 1},
      {"kib", kKiB},
      {"mib", kKiB * kKiB},
      {"gib", kKiB * kKiB * kKiB},
  }};
  auto [digits, unit] = split_number(text);
  std::uint64_t count = 0;
  bool overflow = false;
  if (!read_decimal(digits, count, overflow) && !overflow) fail(text, kUsage);
  std::string lower_unit = ascii_lower(unit);
  for (const auto& [name, multiplier] : kUnits) {
    if (lower_unit != name) continue;
    constexpr auto kMax = std::numeric_limits<std::size_t>::max();
    if (overflow || count > kMax / multiplier) fail(text, "is too large");
    std::size_t bytes = static_cast<std::size_t>(count * multiplier);
    if (bytes < min) fail(text, fmt::format("is below the minimum of {}", format_size(min)));
    return bytes;
  }
  fail(text, kUsage);
}

std::chrono::milliseconds parse_duration(std::string_view text, bool zero_allowed) {
  constexpr std::string_view kUsage =
      "is not a duration (use a whole number with ms, s, m or h, e.g. 500ms, 30s, 2m)";
  static constexpr std::array<std::pair<std::string_view, std::int64_t>, 5> kUnits{{
      {"", 1000},
      {"ms", 1},
      {"s", 1000},
      {"m", 60 * 1000},
      {"h", 60 * 60 * 1000},
  }};
  auto [digits, unit] = split_number(text);
  std::uint64_t count = 0;
  bool overflow = false;
  if (!read_decimal(digits, count, overflow) && !overflow) fail(text, kUsage);
  for (const auto& [name, millis] : kUnits) {
    if (unit != name) continue;
    constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (overflow || count > kMax / static_cast<std::uint64_t>(millis)) fail(text, "is too long");
    if (count == 0 && !zero_allowed) fail(text, "must be greater than zero");
    return std::chrono::milliseconds(static_cast<std::int64_t>(count) * millis);
  }
  fail(text, kUsage);
}

bool parse_bool(std::string_view text) {
  std::string lower = ascii_lower(text);
  if (lower == "true" || lower == "1" || lower == "yes") return true;
  if (lower == "false" || lower == "0" || lower == "no") return false;
  fail(text, "is not a boolean (use true/false, yes/no or 1/0)");
}

std::size_t parse_choice(std::string_view text, std::string_view choices) {
  std::string lower = ascii_lower(text);
  std::size_t index = 0;
  std::string_view rest = choices;
  while (true) {
    std::size_t bar = rest.find('|');
    if (rest.substr(0, bar) == lower) return index;
    if (bar == std::string_view::npos) break;
    rest.remove_prefix(bar + 1);
    ++index;
  }
  fail(text, fmt::format("is not one of {}", choices));
}

std::string parse_path(std::string_view text) {
  if (text.empty()) throw ConfigError("an empty path is not allowed");
  return std::string(text);
}

std::vector<std::string> parse_origins(std::string_view text) {
  std::vector<std::string> origins;
  if (trim_spaces(text).empty()) return origins;
  std::string_view rest = text;
  while (true) {
    std::size_t comma = rest.find(',');
    std::string_view entry = trim_spaces(rest.substr(0, comma));
    if (entry.empty()) fail(text, "has an empty entry (separate origins with single commas)");
    origins.push_back(parse_origin(entry));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return origins;
}

std::vector<std::string> parse_address_list(std::string_view text) {
  std::vector<std::string> entries;
  if (trim_spaces(text).empty()) return entries;
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view entry = trim_spaces(rest.substr(0, comma));
    const std::size_t slash = entry.find('/');
    const std::string address(entry.substr(0, slash));
    unsigned char bytes[16];
    const bool v4 = ::inet_pton(AF_INET, address.c_str(), bytes) == 1;
    const bool v6 = !v4 && ::inet_pton(AF_INET6, address.c_str(), bytes) == 1;
    if (!v4 && !v6)
      fail(text, "needs IP addresses or CIDR subnets such as 10.0.0.0/8, comma-separated");
    if (slash != std::string_view::npos) {
      const std::string_view bits = entry.substr(slash + 1);
      unsigned value = 0;
      auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), value);
      if (bits.empty() || ec != std::errc() || end != bits.data() + bits.size() ||
          value > (v4 ? 32u : 128u)) {
        fail(text, "has a subnet prefix length out of range");
      }
    }
    entries.emplace_back(entry);
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return entries;
}

std::string parse_token(std::string_view text) {
  if (text.empty()) return {};
  // The value is a secret: the messages never quote it.
  if (text.size() < 16 || text.size() > 256) {
    throw ConfigError("the token must be 16 to 256 characters long");
  }
  for (char c : text) {
    if (c <= ' ' || c > '~') {
      throw ConfigError("the token may hold only printable ASCII characters without spaces");
    }
  }
  return std::string(text);
}

std::string format_size(std::size_t bytes) {
  static constexpr std::array<std::pair<std::string_view, std::uint64_t>, 3> kUnits{{
      {"GiB", kKiB * kKiB * kKiB},
      {"MiB", kKiB * kKiB},
      {"KiB", kKiB},
  }};
  for (const auto& [name, multiplier] : kUnits) {
    if (bytes != 0 && bytes % multiplier == 0) return fmt::format("{}{}", bytes / multiplier, name);
  }
  return fmt::format("{}B", bytes);
}

double parse_ratio(std::string_view text) {
  // Digits and one dot only: no exponent, sign, "nan" or "inf" for strtod to accept.
  bool dot = false;
  bool digit = false;
  for (char c : text) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      digit = false;
      break;
    }
  }
  if (!digit || text.size() > 32) {
    throw ConfigError(fmt::format("\"{}\" is not a ratio from 0 to 1", text.substr(0, 40)));
  }
  const double value = std::strtod(std::string(text).c_str(), nullptr);
  if (!(value >= 0.0 && value <= 1.0)) {
    throw ConfigError(fmt::format("\"{}\" is not a ratio from 0 to 1", text));
  }
  return value;
}

std::string parse_http_url(std::string_view text) {
  const bool scheme = text.starts_with("http://") || text.starts_with("https://");
  const bool printable =
      std::all_of(text.begin(), text.end(), [](char c) { return c > ' ' && c < 0x7f; });
  if (!scheme || !printable || text.size() > 2048 ||
      text.size() <= (text.starts_with("https") ? 8u : 7u)) {
    throw ConfigError(
        "the URL must start with http:// or https://, name a host, and hold at "
        "most 2048 printable characters without spaces");
  }
  return std::string(text);
}

}  // namespace basalt::core
