#include "basalt/schema/json_reader.hpp"

#include <cmath>
#include <limits>

namespace basalt::schema {
namespace {

bool as_int64(const boost::json::value& value, std::int64_t& out) {
  switch (value.kind()) {
    case boost::json::kind::int64:
      out = value.get_int64();
      return true;
    case boost::json::kind::uint64:
      if (value.get_uint64() >
          static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return false;
      }
      out = static_cast<std::int64_t>(value.get_uint64());
      return true;
    case boost::json::kind::double_: {
      // Lenient: 15.0 is accepted as 15 (Go would reject it); 15.5 is not.
      double d = value.get_double();
      if (!std::isfinite(d) || std::trunc(d) != d || std::fabs(d) > 9.2e18) return false;
      out = static_cast<std::int64_t>(d);
      return true;
    }
    default:
      return false;
  }
}

bool as_double(const boost::json::value& value, double& out) {
  switch (value.kind()) {
    case boost::json::kind::int64:
      out = static_cast<double>(value.get_int64());
      return true;
    case boost::json::kind::uint64:
      out = static_cast<double>(value.get_uint64());
      return true;
    case boost::json::kind::double_:
      out = value.get_double();
      return true;
    default:
      return false;
  }
}

bool as_strings(const boost::json::value& value, std::vector<std::string>& out) {
  if (!value.is_array()) return false;
  std::vector<std::string> result;
  result.reserve(value.get_array().size());
  for (const auto& item : value.get_array()) {
    if (item.is_string()) {
      result.emplace_back(item.get_string());
    } else if (item.is_null()) {
      result.emplace_back();  // Go leaves a null element as ""
    } else {
      return false;
    }
  }
  out = std::move(result);
  return true;
}

}  // namespace

const boost::json::value* JsonReader::find(std::string_view key) const {
  auto it = object_->find(key);
  return it == object_->end() ? nullptr : &it->value();
}

void JsonReader::mismatch(std::string_view key) {
  errors_.add(key, error_unsupported_type());
}

void JsonReader::read(std::string_view key, std::string& out) {
  const auto* v = find(key);
  if (!v || v->is_null()) return;
  if (!v->is_string()) return mismatch(key);
  out = std::string(v->get_string());
}

void JsonReader::read(std::string_view key, bool& out) {
  const auto* v = find(key);
  if (!v || v->is_null()) return;
  if (!v->is_bool()) return mismatch(key);
  out = v->get_bool();
}

void JsonReader::read(std::string_view key, std::int64_t& out) {
  const auto* v = find(key);
  if (!v || v->is_null()) return;
  if (!as_int64(*v, out)) mismatch(key);
}

void JsonReader::read(std::string_view key, std::optional<double>& out) {
  const auto* v = find(key);
  if (!v) return;
  if (v->is_null()) {
    out.reset();
    return;
  }
  double d = 0;
  if (!as_double(*v, d)) return mismatch(key);
  out = d;
}

void JsonReader::read(std::string_view key, std::optional<bool>& out) {
  const auto* v = find(key);
  if (!v) return;
  if (v->is_null()) {
    out.reset();
    return;
  }
  if (!v->is_bool()) return mismatch(key);
  out = v->get_bool();
}

void JsonReader::read(std::string_view key, std::optional<std::string>& out) {
  const auto* v = find(key);
  if (!v) return;
  if (v->is_null()) {
    out.reset();
    return;
  }
  if (!v->is_string()) return mismatch(key);
  out = std::string(v->get_string());
}

void JsonReader::read(std::string_view key, StringList& out) {
  const auto* v = find(key);
  if (!v) return;
  if (v->is_null()) {
    out.reset();
    return;
  }
  std::vector<std::string> items;
  if (!as_strings(*v, items)) return mismatch(key);
  out = std::move(items);
}

void JsonReader::read(std::string_view key, std::vector<std::string>& out) {
  const auto* v = find(key);
  if (!v) return;
  if (v->is_null()) {
    out.clear();
    return;
  }
  if (!as_strings(*v, out)) mismatch(key);
}

void JsonReader::read(std::string_view key, DateTime& out) {
  const auto* v = find(key);
  if (!v || v->is_null()) return;
  if (!v->is_string()) return mismatch(key);
  out = DateTime::parse(v->get_string()).value_or(DateTime());
}

void JsonReader::read(std::string_view key, RegexPattern& out) {
  const auto* v = find(key);
  if (!v || v->is_null()) return;
  if (!v->is_string()) return mismatch(key);
  out = RegexPattern(std::string(v->get_string()));
}

void JsonReader::read(std::string_view key, GeneratorPattern& out) {
  const auto* v = find(key);
  if (!v || v->is_null()) return;
  if (!v->is_string()) return mismatch(key);
  out = GeneratorPattern(std::string(v->get_string()));
}

void JsonReader::read(std::string_view key, boost::json::value& out) {
  if (const auto* v = find(key)) out = *v;
}

const boost::json::object* JsonReader::object(std::string_view key) {
  const auto* v = find(key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_object()) {
    mismatch(key);
    return nullptr;
  }
  return &v->get_object();
}

const boost::json::array* JsonReader::array(std::string_view key) {
  const auto* v = find(key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_array()) {
    mismatch(key);
    return nullptr;
  }
  return &v->get_array();
}

}  // namespace basalt::schema
