#include "basalt/settings/address_formats.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace basalt::settings {
namespace {

constexpr std::size_t kMaxLabel = 63;
constexpr std::size_t kMaxHostChars = 255;  // not counting the dots

bool parses_as(int family, std::string_view text) {
  // inet_pton wants a NUL-terminated string; an embedded NUL must not cut the text short.
  if (text.find('\0') != std::string_view::npos) return false;
  const std::string copy(text);
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(family, copy.c_str(), buffer) == 1;
}

bool is_ipv4(std::string_view text) {
  return parses_as(AF_INET, text);
}

bool is_ipv6(std::string_view text) {
  return parses_as(AF_INET6, text);
}

bool is_label_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// One DNS label of the govalidator pattern [a-zA-Z0-9_][a-zA-Z0-9_-]{0,62}.
bool is_label(std::string_view label, std::size_t max) {
  return !label.empty() && label.size() <= max && label[0] != '-' &&
         std::all_of(label.begin(), label.end(), is_label_char);
}

// govalidator's rxDNSName: labels joined by '.', then at most one trailing '.' or '_' (a
// trailing '_' is only visible as a 64th character of the last label).
bool is_dns_name(std::string_view text) {
  if (text.empty()) return false;
  const auto non_dots = static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return c != '.'; }));
  if (non_dots > kMaxHostChars) return false;
  bool trailing_dot = false;
  if (text.back() == '.') {
    text.remove_suffix(1);
    trailing_dot = true;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = text.find('.', start);
    const bool last = dot == std::string_view::npos;
    const std::string_view label = text.substr(start, last ? text.size() - start : dot - start);
    const std::size_t max =
        last && !trailing_dot && !label.empty() && label.back() == '_' ? kMaxLabel + 1 : kMaxLabel;
    if (!is_label(label, max)) return false;
    if (last) return true;
    start = dot + 1;
  }
}

// netip.ParsePrefix's bit count: decimal digits, no sign, no leading zero.
bool parse_bits(std::string_view text, int max) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  int bits = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bits);
  return ec == std::errc() && end == text.data() + text.size() && bits >= 0 && bits <= max;
}

}  // namespace

bool is_ip(std::string_view text) {
  return is_ipv4(text) || is_ipv6(text);
}

bool is_host(std::string_view text) {
  return is_ip(text) || is_dns_name(text);
}

bool is_ip_or_subnet(std::string_view text) {
  if (const std::size_t slash = text.find('/'); slash != std::string_view::npos) {
    const std::string_view address = text.substr(0, slash);
    const std::string_view bits = text.substr(slash + 1);
    if (is_ipv4(address)) return parse_bits(bits, 32);
    return is_ipv6(address) && parse_bits(bits, 128);
  }
  if (is_ip(text)) return true;
  // An IPv6 address with a non-empty zone ("fe80::1%eth0").
  const std::size_t percent = text.find('%');
  return percent != std::string_view::npos && percent + 1 < text.size() &&
         is_ipv6(text.substr(0, percent));
}

bool is_hex_color(std::string_view text) {
  if (!text.empty() && text[0] == '#') text.remove_prefix(1);
  return (text.size() == 3 || text.size() == 6) &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace basalt::settings
