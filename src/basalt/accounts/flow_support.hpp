// Helpers the account flow files share (module-internal): input checks with PocketBase's
// field errors, the superuser-like caller the flows write through, throttle keys.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "basalt/collections/catalog.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/schema/validation_errors.hpp"

namespace basalt::accounts::support {

// PocketBase's "An error occurred while validating the submitted data." with `errors`.
[[noreturn]] void throw_invalid(const schema::ValidationErrors& errors);
// The same with one error at `key`.
[[noreturn]] void throw_field(std::string_view key, schema::FieldError error);

// Adds the first failing check of an email input at `key`: required, length 1-255, format.
void check_email(schema::ValidationErrors& errors, std::string_view key, std::string_view email);
// Adds required and length (min..max runes) at `key`.
void check_text(schema::ValidationErrors& errors, std::string_view key, std::string_view text,
                std::int64_t min, std::int64_t max);

schema::FieldError invalid_token();              // validation_invalid_token
schema::FieldError token_collection_mismatch();  // validation_token_collection_mismatch

// The record service's view of the flows: a superuser without a record of its own (they
// write only what the flow decided, after its checks). Borrows the catalog's _superusers.
struct SystemCaller {
  // `client`: the requesting client's address (must outlive the caller), which bounds the
  // password work the write does.
  SystemCaller(const collections::Catalog& catalog, std::string_view client);
  boost::json::object record{{"id", ""}};
  records::Caller caller;
};

std::string string_field(const boost::json::object& record, std::string_view key);
bool bool_field(const boost::json::object& record, std::string_view key);

// "<flow>:<collection id>:<record id>", the key of per-record throttles.
std::string record_key(std::string_view flow, std::string_view collection_id,
                       const boost::json::object& record);

}  // namespace basalt::accounts::support
