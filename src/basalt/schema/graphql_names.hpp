// The collection names the GraphQL API could not expose (docs/graphql.md, "Names"). A
// collection's name is the base of its GraphQL type and root fields (`posts`, `posts_by_pk`,
// `posts_bool_exp`, …), so a name that is not a GraphQL name, or that would collide with a type
// or field the schema generator makes, is refused when a collection is created or renamed
// rather than mangled.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace basalt::schema {

// Why `name` (already a `^\w+$` word) cannot be a GraphQL name; nullopt when it can.
std::optional<std::string> graphql_name_problem(std::string_view name);

}  // namespace basalt::schema
