#include "basalt/query/go_values.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>
#include <unordered_set>

#include "basalt/schema/go_json.hpp"

namespace basalt::query {
namespace {

namespace json = boost::json;

bool iequals_ascii(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (c != b[i]) return false;
  }
  return true;
}

double number_of(const json::value& value) noexcept {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  return value.get_double();
}

// A copy with every object's keys in Go's map order (sorted bytewise).
json::value sorted(const json::value& value) {
  if (const auto* object = value.if_object()) {
    std::vector<const json::key_value_pair*> members;
    members.reserve(object->size());
    for (const auto& member : *object) members.push_back(&member);
    std::sort(members.begin(), members.end(),
              [](const auto* a, const auto* b) { return a->key() < b->key(); });
    json::object out;
    out.reserve(members.size());
    for (const auto* member : members) out.emplace(member->key(), sorted(member->value()));
    return out;
  }
  if (const auto* array = value.if_array()) {
    json::array out;
    out.reserve(array->size());
    for (const auto& item : *array) out.push_back(sorted(item));
    return out;
  }
  return value;
}

}  // namespace

std::string go_format_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[400];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  return std::string(buffer, result.ptr);
}

std::optional<double> go_parse_float(std::string_view text) {
  std::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest.front() == '+' || rest.front() == '-')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  if (iequals_ascii(rest, "inf") || iequals_ascii(rest, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (iequals_ascii(rest, "nan")) return std::numeric_limits<double>::quiet_NaN();
  if (rest.empty() || rest.front() == '+' || rest.front() == '-') return std::nullopt;
  for (char c : rest) {
    bool allowed =
        (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-';
    if (!allowed) return std::nullopt;  // no hex, no "inf" inside, no blanks
  }
  double value = 0;
  auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (error != std::errc() || end != rest.data() + rest.size()) return std::nullopt;
  return negative ? -value : value;
}

std::string go_to_string(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return std::string(value.get_string());
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return go_format_float(number_of(value));
    case json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    default:
      return {};
  }
}

std::string go_marshal(const json::value& value) {
  return schema::serialize_go_json(sorted(value));
}

json::array go_to_slice(const json::value& value) {
  if (value.is_null()) return {};
  if (const auto* array = value.if_array()) return *array;
  json::array out;
  out.push_back(value);
  return out;
}

std::vector<std::string> go_unique_strings(const json::value& value) {
  std::vector<std::string> items;
  if (const auto* text = value.if_string()) {
    if (text->empty()) return {};
    bool parsed = false;
    if (text->find('[') != json::string::npos) {
      std::error_code error;
      json::value decoded = json::parse(*text, error);
      if (!error && decoded.is_array()) {
        parsed = std::all_of(decoded.get_array().begin(), decoded.get_array().end(),
                             [](const json::value& item) { return item.is_string(); });
        if (parsed) {
          for (const auto& item : decoded.get_array()) items.emplace_back(item.get_string());
        }
      }
    }
    if (!parsed) items.emplace_back(*text);
  } else if (const auto* array = value.if_array()) {
    for (const auto& item : *array) items.push_back(go_to_string(item));
  } else if (!value.is_null()) {
    items.push_back(go_to_string(value));
  }
  std::vector<std::string> unique;
  std::unordered_set<std::string> seen;
  for (auto& item : items) {
    if (item.empty() || !seen.insert(item).second) continue;
    unique.push_back(std::move(item));
  }
  return unique;
}

}  // namespace basalt::query
