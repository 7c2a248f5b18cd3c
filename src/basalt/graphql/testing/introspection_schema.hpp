// A Schema built from an introspection result (`__schema` of graphql-js's
// introspectionFromSchema), for tests that validate against a schema another implementation
// defined. Built-in scalars, @skip/@include and the introspection types are the Schema's own;
// directive locations outside executable documents are dropped; default values, which
// introspection gives as GraphQL literals, are kept as JSON when they are JSON and as a JSON
// string of the literal otherwise (validation only asks whether there is one).
#pragma once

#include <boost/json/object.hpp>
#include <memory>

#include "basalt/graphql/schema.hpp"

namespace basalt::graphql::testing {

// std::invalid_argument (from Schema::finish) when the result is not a consistent schema.
std::unique_ptr<Schema> schema_from_introspection(const boost::json::object& schema_json);

}  // namespace basalt::graphql::testing
