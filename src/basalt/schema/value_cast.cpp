#include "basalt/schema/value_cast.hpp"

#include <deque>

#include <boost/json/parse.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <unordered_set>

namespace basalt::schema {
namespace {

std::string fixed_shortest(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
  return std::string(buf, end);
}

// The zero-decimal trimming cast applies before parsing ("12.000" -> "12").
std::string_view trim_zero_decimal(std::string_view s) {
  std::size_t dot = s.find('.');
  if (dot == std::string_view::npos) return s;
  for (std::size_t i = dot + 1; i < s.size(); ++i) {
    if (s[i] != '0') return s;
  }
  return s.substr(0, dot);
}

}  // namespace

std::string to_text(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::string:
      return std::string(value.get_string());
    case boost::json::kind::int64:
      return std::to_string(value.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(value.get_uint64());
    case boost::json::kind::double_:
      return fixed_shortest(value.get_double());
    case boost::json::kind::bool_:
      return value.get_bool() ? "true" : "false";
    default:
      return {};
  }
}

double to_number(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::int64:
      return static_cast<double>(value.get_int64());
    case boost::json::kind::uint64:
      return static_cast<double>(value.get_uint64());
    case boost::json::kind::double_:
      return value.get_double();
    case boost::json::kind::bool_:
      return value.get_bool() ? 1 : 0;
    case boost::json::kind::string: {
      std::string_view s = trim_zero_decimal(value.get_string());
      if (!s.empty() && s[0] == '+') s.remove_prefix(1);
      double out = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
      if (ec != std::errc() || ptr != s.data() + s.size() || s.empty()) return 0;
      return out;
    }
    default:
      return 0;
  }
}

bool to_boolean(const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::bool_:
      return value.get_bool();
    case boost::json::kind::int64:
      return value.get_int64() != 0;
    case boost::json::kind::uint64:
      return value.get_uint64() != 0;
    case boost::json::kind::double_:
      return value.get_double() != 0;
    case boost::json::kind::string: {
      std::string_view s = value.get_string();
      return s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True";
    }
    default:
      return false;
  }
}

std::vector<std::string> to_unique_strings(const boost::json::value& value, std::size_t limit) {
  std::vector<std::string> out;
  // Views of the kept items in `value`, `inner` or `texts`, which never move (out's strings
  // may: short ones live inside the string). Up to kLinear items a scan finds a repeat faster
  // than hashing (a relation or select list holds one value or a few); past it, `seen`.
  constexpr std::size_t kLinear = 16;
  std::vector<std::string_view> kept;
  std::unordered_set<std::string_view> seen;
  // Returns false once `limit` items are collected: the rest cannot change the outcome.
  auto add = [&](std::string_view item) {
    if (out.size() >= limit) return false;
    if (item.empty()) return true;
    if (kept.size() < kLinear) {
      if (std::find(kept.begin(), kept.end(), item) != kept.end()) return true;
      kept.push_back(item);
    } else {
      if (seen.empty()) seen.insert(kept.begin(), kept.end());
      if (!seen.insert(item).second) return true;
    }
    out.emplace_back(item);
    return out.size() < limit;
  };
  if (value.is_string()) {
    std::string_view s = value.get_string();
    if (s.empty()) return {};
    if (s.find('[') != std::string_view::npos) {
      boost::system::error_code ec;
      boost::json::value inner = boost::json::parse(s, ec);
      if (!ec && inner.is_array() &&
          std::all_of(inner.get_array().begin(), inner.get_array().end(),
                      [](const boost::json::value& v) { return v.is_string() || v.is_null(); })) {
        for (const auto& item : inner.get_array()) {
          if (item.is_string() && !add(item.get_string())) break;
        }
        return out;
      }
    }
    add(s);
  } else if (value.is_array()) {
    std::deque<std::string> texts;  // to_text makes new strings; `seen` keeps views of them
    for (const auto& item : value.get_array()) {
      if (item.is_string()) {
        if (!add(item.get_string())) break;
        continue;
      }
      texts.push_back(to_text(item));
      if (!add(texts.back())) break;
    }
  }
  return out;
}

boost::json::value strings_to_json(const std::vector<std::string>& list) {
  boost::json::array out;
  out.reserve(list.size());
  for (const auto& item : list) out.emplace_back(item);
  return out;
}

}  // namespace basalt::schema
