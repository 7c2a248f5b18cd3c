#include "basalt/schema/graphql_names.hpp"

#include <array>

namespace basalt::schema {
namespace {

// Type names the generated schema defines itself, and its one fixed root field.
constexpr std::array<std::string_view, 14> kReservedNames = {
    "Int",      "Float",           "String", "Boolean",      "ID",
    "JSON",     "GeoPoint",        "Query",  "Mutation",     "Subscription",
    "order_by", "_schema_version", "Upload", "record_action"};

// What the generator appends to a collection's name; a collection ending with one could collide
// with another collection's generated names.
constexpr std::array<std::string_view, 18> kReservedSuffixes = {
    "_bool_exp", "_order_by", "_aggregate", "_aggregate_fields", "_sum_fields", "_avg_fields",
    "_min_fields", "_max_fields", "_select_column", "_by_pk", "_comparison_exp",
    // mutations: the input and response types, and what comes before `_insert_input` in a
    // relation's (`x_obj_rel` would make `x_obj_rel_insert_input` twice). A collection `x_one`
    // beside `x` is not refused: see mutation_schema.cpp for `insert_x_one`.
    "_insert_input", "_set_input", "_inc_input", "_mutation_response", "_obj_rel", "_arr_rel",
    "_update_input"};

}  // namespace

std::optional<std::string> graphql_name_problem(std::string_view name) {
  if (name.empty()) return std::nullopt;  // the required-name check reports it
  if (name.front() >= '0' && name.front() <= '9') {
    return "The name must not start with a digit (it is also the collection's GraphQL type name).";
  }
  if (name.starts_with("__")) {
    return "The name must not start with \"__\" (reserved by GraphQL).";
  }
  for (std::string_view reserved : kReservedNames) {
    if (name == reserved) {
      return "The name \"" + std::string(name) + "\" is reserved by the GraphQL API.";
    }
  }
  for (std::string_view suffix : kReservedSuffixes) {
    if (name.ends_with(suffix)) {
      return "The name must not end with \"" + std::string(suffix) +
             "\" (reserved for the GraphQL API's generated names).";
    }
  }
  return std::nullopt;
}

}  // namespace basalt::schema
