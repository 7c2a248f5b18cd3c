#include "basalt/db/postgres/pg_values.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"

namespace basalt::db::postgres {
namespace {

constexpr std::size_t kMaxParams = 65'535;

std::string double_text(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return fmt::format("{}", value);  // shortest text that reads back as the same double
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Value bytea_from_hex(std::string_view text) {
  // bytea_output = hex (the default since 9.0): "\x" then two digits per byte.
  if (!text.starts_with("\\x") || text.size() % 2 != 0) {
    throw DatabaseError("bytea column not in hex format (bytea_output must be hex)");
  }
  Blob blob;
  blob.bytes.reserve((text.size() - 2) / 2);
  for (std::size_t i = 2; i < text.size(); i += 2) {
    const int high = hex_digit(text[i]);
    const int low = hex_digit(text[i + 1]);
    if (high < 0 || low < 0) throw DatabaseError("bytea column holds a bad hex digit");
    blob.bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return blob;
}

Value integer_from_text(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw DatabaseError(fmt::format("integer column holds \"{}\"", text));
  }
  return value;
}

Value double_from_text(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "Infinity") return std::numeric_limits<double>::infinity();
  if (text == "-Infinity") return -std::numeric_limits<double>::infinity();
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() && error != std::errc::result_out_of_range) {
    throw DatabaseError(fmt::format("number column holds \"{}\"", text));
  }
  (void)end;
  return value;
}

Value numeric_from_text(std::string_view text) {
  // sum() and avg() of integers are numeric: a whole number stays an integer as on SQLite.
  if (text.find_first_of(".eEN") == std::string_view::npos) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
  }
  return double_from_text(text);
}

}  // namespace

BoundParams::BoundParams(const Params& params) {
  if (params.size() > kMaxParams) {
    throw DatabaseError(fmt::format("{} parameters are more than PostgreSQL takes ({})",
                                    params.size(), kMaxParams));
  }
  numbers_.reserve(params.size());
  values_.reserve(params.size());
  lengths_.reserve(params.size());
  formats_.reserve(params.size());
  for (const Value& param : params) {
    int length = 0;
    int format = 0;
    const char* value = std::visit(
        [&](const auto& held) -> const char* {
          using T = std::decay_t<decltype(held)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return nullptr;
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            numbers_.push_back(std::to_string(held));
            return numbers_.back().c_str();
          } else if constexpr (std::is_same_v<T, double>) {
            numbers_.push_back(double_text(held));
            return numbers_.back().c_str();
          } else if constexpr (std::is_same_v<T, std::string>) {
            // Text parameters are read up to their first NUL; PostgreSQL's text cannot hold
            // one either, so such a value is the client's mistake.
            if (held.find('\0') != std::string::npos) {
              throw core::ApiError::bad_request("Text values cannot contain NUL characters.");
            }
            return held.c_str();
          } else {
            if (held.bytes.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
              throw DatabaseError("a blob parameter is larger than PostgreSQL takes");
            }
            length = static_cast<int>(held.bytes.size());
            format = 1;
            return held.bytes.data();
          }
        },
        param);
    values_.push_back(value);
    lengths_.push_back(length);
    formats_.push_back(format);
  }
}

Value value_from_text(unsigned type, const char* text, std::size_t length) {
  if (text == nullptr) return nullptr;
  const std::string_view view(text, length);
  switch (type) {
    case oid::kInt2:
    case oid::kInt4:
    case oid::kInt8:
    case oid::kOid:
      return integer_from_text(view);
    case oid::kBool:
      return std::int64_t{view == "t" ? 1 : 0};
    case oid::kFloat4:
    case oid::kFloat8:
      return double_from_text(view);
    case oid::kNumeric:
      return numeric_from_text(view);
    case oid::kBytea:
      return bytea_from_hex(view);
    default:
      return std::string(view);
  }
}

}  // namespace basalt::db::postgres
