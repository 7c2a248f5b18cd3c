#include "basalt/schema/validation_errors.hpp"

#include <boost/json/string.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>

namespace basalt::schema {
namespace {

bool is_prefix(const ErrorPath& prefix, const ErrorPath& path) {
  if (prefix.size() > path.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != path[i]) return false;
  }
  return true;
}

// Go's inflector.Sentenize: trim, upper-case the first letter, end with punctuation.
std::string sentenize(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  std::string out(text.substr(begin, end - begin));
  if (out.empty()) return out;
  if (out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  char last = out.back();
  if (last != '.' && last != '?' && last != '!') out += '.';
  return out;
}

std::string render(std::string_view message_template, const boost::json::object& params) {
  std::string out;
  out.reserve(message_template.size());
  std::size_t pos = 0;
  while (pos < message_template.size()) {
    std::size_t open = message_template.find("{{.", pos);
    if (open == std::string_view::npos) break;
    std::size_t close = message_template.find("}}", open);
    if (close == std::string_view::npos) break;
    out.append(message_template.substr(pos, open - pos));
    std::string_view key = message_template.substr(open + 3, close - open - 3);
    auto it = params.find(key);
    // Go's template prints "<no value>" for a missing map key.
    out += it == params.end() ? std::string("<no value>") : go_format(it->value());
    pos = close + 2;
  }
  out.append(message_template.substr(pos));
  return out;
}

FieldError threshold_error(std::string_view code, std::string_view text, boost::json::value t) {
  boost::json::object params;
  params["threshold"] = std::move(t);
  return make_error(code, text, std::move(params));
}

}  // namespace

bool ValidationErrors::add(const ErrorPath& path, FieldError error) {
  if (path.empty()) return false;
  // Invariant 2, upwards: an ancestor (or the path itself) already holds an error.
  ErrorPath probe;
  probe.reserve(path.size());
  for (const auto& part : path) {
    probe.push_back(part);
    if (errors_.count(probe)) return false;
  }
  // Invariant 2, downwards: something already sits beneath `path`.
  auto it = errors_.lower_bound(path);
  if (it != errors_.end() && is_prefix(path, it->first)) return false;
  errors_.emplace(path, std::move(error));
  return true;
}

const FieldError* ValidationErrors::find(const ErrorPath& path) const {
  auto it = errors_.find(path);
  return it == errors_.end() ? nullptr : &it->second;
}

bool ValidationErrors::has_under(const ErrorPath& prefix) const {
  auto it = errors_.lower_bound(prefix);
  return it != errors_.end() && is_prefix(prefix, it->first);
}

void ValidationErrors::merge(const ValidationErrors& other, const ErrorPath& prefix) {
  for (const auto& [path, error] : other.errors_) {
    ErrorPath full = prefix;
    full.insert(full.end(), path.begin(), path.end());
    add(full, error);
  }
}

boost::json::object ValidationErrors::to_json() const {
  boost::json::object root;
  // std::map iterates paths in lexicographic order, so every level is built in byte order.
  for (const auto& [path, error] : errors_) {
    boost::json::object* level = &root;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      boost::json::value& child = (*level)[path[i]];
      if (!child.is_object()) child.emplace_object();
      level = &child.as_object();
    }
    boost::json::object leaf;
    leaf["code"] = error.code;
    leaf["message"] = error.message;
    if (!error.params.empty()) leaf["params"] = error.params;
    (*level)[path.back()] = std::move(leaf);
  }
  return root;
}

core::ApiError ValidationErrors::to_api_error(std::string message) const {
  return core::ApiError::bad_request(std::move(message), to_json());
}

ErrorScope::ErrorScope(ValidationErrors& errors, ErrorPath prefix)
    : errors_(&errors), prefix_(std::move(prefix)) {}

bool ErrorScope::add(std::string_view key, FieldError error) const {
  ErrorPath path = prefix_;
  path.emplace_back(key);
  return errors_->add(path, std::move(error));
}

bool ErrorScope::add(const ErrorPath& relative, FieldError error) const {
  ErrorPath path = prefix_;
  path.insert(path.end(), relative.begin(), relative.end());
  return errors_->add(path, std::move(error));
}

bool ErrorScope::has(std::string_view key) const {
  ErrorPath path = prefix_;
  path.emplace_back(key);
  return errors_->has_under(path);
}

bool ErrorScope::has_any() const {
  return errors_->has_under(prefix_);
}

ErrorScope ErrorScope::nested(std::string_view key) const {
  ErrorPath path = prefix_;
  path.emplace_back(key);
  return ErrorScope(*errors_, std::move(path));
}

FieldError make_error(std::string_view code, std::string_view message_template,
                      boost::json::object params) {
  FieldError error;
  error.code = std::string(code);
  error.message = sentenize(render(message_template, params));
  error.params = std::move(params);
  return error;
}

std::string go_format_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == 0) return std::signbit(value) ? "-0" : "0";
  // Shortest round-trip digits in scientific form: "-d.ddde±XX".
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  std::string sci(buf, end);
  bool negative = sci[0] == '-';
  std::size_t e_pos = sci.find('e');
  std::string mantissa = sci.substr(negative ? 1 : 0, e_pos - (negative ? 1 : 0));
  int exponent = std::stoi(sci.substr(e_pos + 1));
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += exponent < 0 ? "e-" : "e+";
    int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out += '0';
    out += std::to_string(magnitude);
    return out;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    out += digits;
    return out;
  }
  auto int_len = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= int_len) {
    out += digits;
    out.append(int_len - digits.size(), '0');
  } else {
    out += digits.substr(0, int_len);
    out += '.';
    out += digits.substr(int_len);
  }
  return out;
}

std::string go_format(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::null:
      return "<nil>";
    case boost::json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    case boost::json::kind::int64:
      return std::to_string(value.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(value.get_uint64());
    case boost::json::kind::double_:
      return go_format_float(value.get_double());
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::array: {
      std::string out = "[";
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ' ';
        first = false;
        out += go_format(item);
      }
      return out + "]";
    }
    case boost::json::kind::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& item : value.get_object()) {
        if (!first) out += ' ';
        first = false;
        out += std::string(item.key()) + ":" + go_format(item.value());
      }
      return out + "]";
    }
  }
  return {};
}

boost::json::value json_number(double value) {
  constexpr double kLimit = 9007199254740992.0;  // 2^53: every integer below is exact
  if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) < kLimit) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

FieldError error_required() {
  return make_error("validation_required", "cannot be blank");
}
FieldError error_empty() {
  return make_error("validation_empty", "must be blank");
}
FieldError error_nil() {
  return make_error("validation_nil", "must be blank");
}
FieldError error_nil_or_not_empty() {
  return make_error("validation_nil_or_not_empty_required", "cannot be blank");
}
FieldError error_match() {
  return make_error("validation_match_invalid", "must be in a valid format");
}
FieldError error_in() {
  return make_error("validation_in_invalid", "must be a valid value");
}
FieldError error_not_in() {
  return make_error("validation_not_in_invalid", "must not be in list");
}
FieldError error_values_mismatch() {
  return make_error("validation_values_mismatch", "Values don't match.");
}
FieldError error_unsupported_type() {
  return make_error("validation_unsupported_value_type", "Invalid or unsupported value type.");
}

FieldError error_min_threshold(boost::json::value threshold) {
  return threshold_error("validation_min_greater_equal_than_required",
                         "must be no less than {{.threshold}}", std::move(threshold));
}

FieldError error_max_threshold(boost::json::value threshold) {
  return threshold_error("validation_max_less_equal_than_required",
                         "must be no greater than {{.threshold}}", std::move(threshold));
}

FieldError error_length(std::int64_t min, std::int64_t max) {
  boost::json::object params;
  params["min"] = min;
  params["max"] = max;
  if (min == 0 && max > 0) {
    return make_error("validation_length_too_long", "the length must be no more than {{.max}}",
                      std::move(params));
  }
  if (min > 0 && max == 0) {
    return make_error("validation_length_too_short", "the length must be no less than {{.min}}",
                      std::move(params));
  }
  if (min > 0 && max > 0) {
    if (min == max) {
      return make_error("validation_length_invalid", "the length must be exactly {{.min}}",
                        std::move(params));
    }
    return make_error("validation_length_out_of_range",
                      "the length must be between {{.min}} and {{.max}}", std::move(params));
  }
  return make_error("validation_length_empty_required", "the value must be empty",
                    std::move(params));
}

bool length_out_of_range(std::size_t length, std::int64_t min, std::int64_t max) {
  if (length == 0) return false;
  auto len = static_cast<std::int64_t>(length);
  return (min > 0 && len < min) || (max > 0 && len > max) || (min == 0 && max == 0);
}

std::size_t rune_count(std::string_view text) noexcept {
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  std::size_t count = 0;
  for (std::size_t i = 0; i < text.size();) {
    // ASCII, a rune per byte, is counted a word at a time.
    std::uint64_t word;
    if (i + sizeof word <= text.size()) {
      std::memcpy(&word, text.data() + i, sizeof word);
      if ((word & kHighs) == 0) {
        i += sizeof word;
        count += sizeof word;
        continue;
      }
    }
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t width = c < 0x80           ? 1
                        : (c >> 5) == 0x6  ? 2
                        : (c >> 4) == 0xE  ? 3
                        : (c >> 3) == 0x1E ? 4
                                           : 1;
    bool valid = i + width <= text.size();
    for (std::size_t k = 1; valid && k < width; ++k) {
      valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    }
    i += valid ? width : 1;
    ++count;
  }
  return count;
}

}  // namespace basalt::schema
