#include "basalt/records/body_keys.hpp"

namespace basalt::records {

std::string_view body_field_name(std::string_view key) {
  if (auto colon = key.find(':'); colon != std::string_view::npos) key = key.substr(0, colon);
  if (!key.empty() && key.front() == '+') key.remove_prefix(1);
  if (!key.empty() && (key.back() == '+' || key.back() == '-')) key.remove_suffix(1);
  return key;
}

boost::json::object rule_body(const schema::Collection& collection, const boost::json::object& body,
                              const boost::json::object& values) {
  boost::json::object out;
  for (const auto& entry : body) {
    const std::string_view name = body_field_name(entry.key());
    const schema::Field* field = collection.field_by_name(name);
    const bool resolved =
        field && (name != entry.key() || field->type() == schema::FieldType::kFile);
    if (resolved && field->type() != schema::FieldType::kPassword) {
      if (const boost::json::value* value = values.if_contains(name)) out[name] = *value;
    } else {
      out[entry.key()] = entry.value();
    }
  }
  return out;
}

}  // namespace basalt::records
