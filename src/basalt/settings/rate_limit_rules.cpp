#include "basalt/settings/rate_limit_rules.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <vector>

namespace basalt::settings {
namespace {

bool audience_ok(const RateLimitRule& rule, std::span<const std::string_view> audiences) {
  return audiences.empty() ||
         std::find(audiences.begin(), audiences.end(), rule.audience) != audiences.end();
}

struct Address {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  std::size_t length = 0;
};

std::optional<Address> parse_address(std::string_view text) {
  const std::string copy(text.substr(0, text.find('%')));
  Address out;
  if (::inet_pton(AF_INET, copy.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET;
    out.length = 4;
    return out;
  }
  if (::inet_pton(AF_INET6, copy.c_str(), out.bytes.data()) == 1) {
    out.family = AF_INET6;
    out.length = 16;
    return out;
  }
  return std::nullopt;
}

bool in_entry(const Address& ip, std::string_view entry) {
  const auto slash = entry.find('/');
  const auto network = parse_address(entry.substr(0, slash));
  if (!network || network->family != ip.family) return false;
  std::size_t bits = network->length * 8;
  if (slash != std::string_view::npos) {
    const std::string_view prefix = entry.substr(slash + 1);
    std::size_t parsed = 0;
    const auto [end, error] = std::from_chars(prefix.data(), prefix.data() + prefix.size(), parsed);
    if (error != std::errc() || end != prefix.data() + prefix.size() || parsed > bits) {
      return false;
    }
    bits = parsed;
  }
  for (std::size_t i = 0; i < network->length && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8u : static_cast<unsigned>(bits);
    const auto mask = static_cast<unsigned char>(0xff << (8 - take));
    if ((ip.bytes[i] & mask) != (network->bytes[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

}  // namespace

const RateLimitRule* find_rate_limit_rule(std::span<const RateLimitRule> rules,
                                          std::span<const std::string> labels,
                                          std::span<const std::string_view> audiences) {
  std::vector<const RateLimitRule*> prefix_rules;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& label = labels[i];
    for (const RateLimitRule& rule : rules) {
      if (label == rule.label && audience_ok(rule, audiences)) return &rule;
      if (i == 0 && !rule.label.empty() && rule.label.back() == '/') prefix_rules.push_back(&rule);
    }
    const std::string with_slash = label + "/";
    for (const RateLimitRule* rule : prefix_rules) {
      if (with_slash.starts_with(rule->label) && audience_ok(*rule, audiences)) return rule;
    }
  }
  return nullptr;
}

bool ip_in_list(std::string_view ip, std::span<const std::string> entries) {
  if (entries.empty()) return false;
  const auto address = parse_address(ip);
  if (!address) return false;
  return std::any_of(entries.begin(), entries.end(),
                     [&](const std::string& entry) { return in_entry(*address, entry); });
}

}  // namespace basalt::settings
