// Introspection (October 2021 specification, section 4): the values of `__schema` and
// `__type(name:)` over the Schema model, shaped by the selection, so graphql-js's
// buildClientSchema can rebuild the schema from the standard introspection query.
//
// Bounded: an answer of more than kMaxIntrospectionValues objects (a selection that walks
// types -> fields -> type -> fields … multiplies) is refused with a limit-exceeded FieldFailure
// once that many were built; the standard introspection query of a large schema stays far below.
//
// The model has no descriptions or deprecations: `description` is null, `isDeprecated` false,
// `deprecationReason` and `specifiedByURL` null everywhere.
// Thread safety: pure functions of the scope.
#pragma once

#include <boost/json/value.hpp>

#include "basalt/graphql/selection.hpp"

namespace basalt::graphql {

inline constexpr std::size_t kMaxIntrospectionValues = 200'000;

// The value of a `__schema` field group.
boost::json::value introspect_schema(const ExecutionScope& scope, const FieldGroup& group);
// The value of a `__type(name:)` field group (null for an unknown name).
boost::json::value introspect_type(const ExecutionScope& scope, const FieldGroup& group);

// A default value (JSON text of an input value) as a GraphQL literal of `type`: strings quoted,
// enum values bare, objects as `{name: value}`.
std::string default_literal(const std::string& json_text, TypeView type);

}  // namespace basalt::graphql
