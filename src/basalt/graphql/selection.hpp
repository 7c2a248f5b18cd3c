// The execution side of a selection set (October 2021 specification, 6.3.2 and 6.4.1):
// CollectFields with @skip/@include and fragments, and CoerceArgumentValues from literals and
// the request's coerced variables. Used by the executor and by the record statement compiler.
//
// The document must have passed validate() against `schema`: names, types and directives are
// known, literals have the types of their places.
// Thread safety: an ExecutionScope lives for one request on one thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/graphql/ast.hpp"
#include "basalt/graphql/schema.hpp"

namespace basalt::graphql {

// One response key of a selection set: every field selected under that name, in document order
// (they merge: same field, same arguments, as validation made sure).
struct FieldGroup {
  std::string_view response_name;
  std::string_view field_name;
  const FieldDef* definition = nullptr;  // null for __typename
  std::vector<const Selection*> fields;
};

class ExecutionScope {
 public:
  ExecutionScope(const Schema& schema, const Document& document,
                 const boost::json::object& variables);

  const Schema& schema() const noexcept { return schema_; }
  const Document& document() const noexcept { return document_; }

  // CollectFields(objectType, selectionSet): the groups in the order their first field
  // appears, fields under a false @include or a true @skip left out, fragments whose type
  // condition does not apply to `object_type` left out.
  std::vector<FieldGroup> collect(const TypeDef& object_type,
                                  std::span<const Selection> selections) const;
  // The same over the merged sub-selections of every field of `group`.
  std::vector<FieldGroup> collect_sub(const TypeDef& object_type, const FieldGroup& group) const;

  // CoerceArgumentValues for the first field of `group`: every argument given or with a
  // default, as JSON (Int as int64, Float as double, enums as strings, a single value for a
  // list type as a list of one). Throws std::invalid_argument with the message of the field
  // error when a required argument has no value.
  boost::json::object arguments(const FieldGroup& group) const;

 private:
  void collect_into(const TypeDef& object_type, std::span<const Selection> selections,
                    std::vector<FieldGroup>& out,
                    std::unordered_map<std::string_view, std::size_t>& index,
                    std::vector<std::string_view>& visited) const;
  bool included(std::span<const Directive> directives) const;
  boost::json::value literal(const Value& value, TypeView type, bool& present) const;

  const Schema& schema_;
  const Document& document_;
  const boost::json::object& variables_;
  std::unordered_map<std::string_view, const FragmentDefinition*> fragments_;
};

}  // namespace basalt::graphql
