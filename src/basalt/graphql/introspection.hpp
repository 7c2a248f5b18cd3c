// Introspection (October 2021 specification, section 4): the values of `__schema` and
// `__type(name:)` over the Schema model, shaped by the selection, so graphql-js's
// buildClientSchema can rebuild the schema from the standard introspection query.
//
// The model has no descriptions or deprecations: `description` is null, `isDeprecated` false,
// `deprecationReason` and `specifiedByURL` null everywhere.
// Thread safety: pure functions of the scope.
#pragma once

#include <boost/json/value.hpp>

#include "basalt/graphql/selection.hpp"

namespace basalt::graphql {

// The value of a `__schema` field group.
boost::json::value introspect_schema(const ExecutionScope& scope, const FieldGroup& group);
// The value of a `__type(name:)` field group (null for an unknown name).
boost::json::value introspect_type(const ExecutionScope& scope, const FieldGroup& group);

// A default value (JSON text of an input value) as a GraphQL literal of `type`: strings quoted,
// enum values bare, objects as `{name: value}`.
std::string default_literal(const std::string& json_text, TypeView type);

}  // namespace basalt::graphql
