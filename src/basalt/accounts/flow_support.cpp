#include "basalt/accounts/flow_support.hpp"

#include <stdexcept>

#include "basalt/schema/field.hpp"
#include "basalt/schema/text_formats.hpp"

namespace basalt::accounts::support {

void throw_invalid(const schema::ValidationErrors& errors) {
  throw errors.to_api_error("An error occurred while validating the submitted data.");
}

void throw_field(std::string_view key, schema::FieldError error) {
  schema::ValidationErrors errors;
  errors.add({std::string(key)}, std::move(error));
  throw_invalid(errors);
}

void check_text(schema::ValidationErrors& errors, std::string_view key, std::string_view text,
                std::int64_t min, std::int64_t max) {
  if (text.empty()) {
    errors.add({std::string(key)}, schema::error_required());
  } else if (schema::length_out_of_range(schema::rune_count(text), min, max)) {
    errors.add({std::string(key)}, schema::error_length(min, max));
  }
}

void check_email(schema::ValidationErrors& errors, std::string_view key, std::string_view email) {
  check_text(errors, key, email, 1, 255);
  if (!errors.has_under({std::string(key)}) && !schema::is_email(email)) {
    errors.add({std::string(key)},
               schema::make_error("validation_is_email", "Must be a valid email address."));
  }
}

schema::FieldError invalid_token() {
  return schema::make_error("validation_invalid_token", "Invalid or expired token.");
}

schema::FieldError token_collection_mismatch() {
  return schema::make_error("validation_token_collection_mismatch",
                            "The provided token is for different auth collection.");
}

SystemCaller::SystemCaller(const collections::Catalog& catalog, std::string_view client) {
  caller.client_address = client;
  caller.collection = catalog.find(records::kSuperusersCollection);
  if (!caller.collection) throw std::runtime_error("the _superusers collection is missing");
  caller.record = &record;
}

std::string string_field(const boost::json::object& record, std::string_view key) {
  const auto* value = record.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

bool bool_field(const boost::json::object& record, std::string_view key) {
  const auto* value = record.if_contains(key);
  return value && value->is_bool() && value->get_bool();
}

std::string record_key(std::string_view flow, std::string_view collection_id,
                       const boost::json::object& record) {
  std::string key(flow);
  key.append(":").append(collection_id).append(":").append(string_field(record, schema::kFieldId));
  return key;
}

}  // namespace basalt::accounts::support
