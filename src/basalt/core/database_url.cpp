#include "basalt/core/database_url.hpp"

#include <fmt/format.h>

#include <array>

#include "basalt/core/config.hpp"

namespace basalt::core {
namespace {

constexpr std::array<std::string_view, 2> kSchemes{"postgres://", "postgresql://"};
constexpr std::string_view kMask = "***";

std::size_t scheme_length(std::string_view url) noexcept {
  for (std::string_view scheme : kSchemes) {
    if (url.starts_with(scheme)) return scheme.size();
  }
  return 0;
}

// Masks the value of each `password=` parameter of the query part, which starts at `query`
// (just after the '?').
void mask_query_passwords(std::string& url, std::size_t query) {
  constexpr std::string_view kKey = "password=";
  std::size_t at = query;
  while (at < url.size()) {
    std::size_t end = url.find('&', at);
    if (end == std::string::npos) end = url.size();
    if (std::string_view(url).substr(at, end - at).starts_with(kKey)) {
      const std::size_t value = at + kKey.size();
      url.replace(value, end - value, kMask);
      end = value + kMask.size();
    }
    at = end + 1;
  }
}

}  // namespace

std::string parse_database_url(std::string_view text) {
  if (text.empty()) return {};
  // The text itself is never quoted here: it may hold a password.
  if (text.size() > kMaxDatabaseUrlBytes) {
    throw ConfigError(fmt::format("expected a URL of at most {} bytes", kMaxDatabaseUrlBytes));
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      throw ConfigError("expected a URL without spaces or control characters");
    }
  }
  if (scheme_length(text) == 0) {
    throw ConfigError(
        "expected empty (SQLite in the data directory) or a PostgreSQL URL starting with "
        "postgres:// or postgresql://");
  }
  return std::string(text);
}

std::string parse_cluster_bus_url(std::string_view text) {
  if (text.empty()) return {};
  // The text itself is never quoted here: it may hold a password.
  if (text.size() > kMaxDatabaseUrlBytes) {
    throw ConfigError(fmt::format("expected a URL of at most {} bytes", kMaxDatabaseUrlBytes));
  }
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7f) {
      throw ConfigError("expected a URL without spaces or control characters");
    }
  }
  if (!text.starts_with("redis://") && !text.starts_with("nats://")) {
    throw ConfigError(
        "expected empty (LISTEN/NOTIFY on the database) or a URL starting with redis:// or "
        "nats://");
  }
  return std::string(text);
}

bool is_postgres_url(std::string_view url) noexcept {
  return !url.empty();
}

std::string masked_database_url(std::string_view url) {
  std::string out(url);
  const std::size_t start = scheme_length(url);
  // The user part ends at the last '@' before the query: a password that holds an unencoded
  // '/', '#' or '@' is still masked whole (masking too much is harmless; too little is not).
  const std::size_t query_start = out.find('?', start);
  const std::size_t user_end =
      query_start == start
          ? std::string::npos
          : out.rfind('@', query_start == std::string::npos ? std::string::npos : query_start - 1);
  if (start > 0 && user_end != std::string::npos && user_end >= start) {
    const std::size_t colon = out.find(':', start);
    if (colon != std::string::npos && colon < user_end) {
      out.replace(colon + 1, user_end - colon - 1, kMask);
    }
  }
  const std::size_t query = out.find('?');
  if (query != std::string::npos) mask_query_passwords(out, query + 1);
  return out;
}

}  // namespace basalt::core
