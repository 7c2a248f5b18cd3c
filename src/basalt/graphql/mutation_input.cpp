#include "basalt/graphql/mutation_input.hpp"

#include <string>

#include "basalt/graphql/field_failure.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;

const json::object* object_argument(const json::object& args, const char* name) {
  const json::value* value = args.if_contains(name);
  return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

}  // namespace

json::object update_body(const json::object& args) {
  json::object body;
  if (const json::object* set = object_argument(args, "_set")) body = *set;
  if (const json::object* inc = object_argument(args, "_inc")) {
    for (const auto& [key, value] : *inc) {
      if (value.is_null()) continue;  // no increment asked
      if (body.contains(key)) {
        throw FieldFailure(ErrorCode::kValidationFailed,
                           "The field \"" + std::string(key) + "\" is in both _set and _inc.");
      }
      body[std::string(key) + "+"] = value;
    }
  }
  return body;
}

json::object update_selection_body(const json::object& args) {
  const json::object* set = object_argument(args, "_set");
  return set != nullptr ? *set : json::object{};
}

}  // namespace basalt::graphql
