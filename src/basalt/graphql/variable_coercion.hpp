// Variable coercion: CoerceVariableValues (October 2021 specification, section 6.1.2) with the
// input coercion rules of Int, Float, String, Boolean, ID (3.5), enums (3.9), input objects
// (3.10), lists (3.11) and non-null (3.12), from the request's JSON `variables`.
//
//   Int      a JSON integer, or a number with no fraction, within 32 bits
//   Float    any finite JSON number
//   String   a JSON string; Boolean a JSON boolean
//   ID       a JSON string, or an integer (answered as its decimal text)
//   enum     a JSON string naming one of its values
//   list     a JSON array, each item coerced; any other value is a list of that one value
//   input    a JSON object: every key a field, every required field given, defaults applied
//   custom   scalars other than the five take any JSON value as it is
//
// A variable left out takes its default value (the literal of the document, coerced); a
// required one left out or null is an error. Lists in the variables hold at most
// Limits::max_list_items items and nest at most Limits::max_nesting levels. Every error is
// validation-failed at the variable's definition, with the path inside the value.
//
// The document must have passed validate(): its types are known and its defaults valid.
// Boost.JSON stays out of this header (forward declarations only).
//
// Thread safety: a pure function of its arguments.
#pragma once

#include <vector>

#include "basalt/graphql/ast.hpp"
#include "basalt/graphql/error.hpp"
#include "basalt/graphql/limits.hpp"
#include "basalt/graphql/schema.hpp"

namespace boost::json {
class object;
}  // namespace boost::json

namespace basalt::graphql {

// Fills `coerced` with one entry per variable that has a value (given or default); returns the
// errors (empty on success, then `coerced` is complete). `provided` may be null (no variables).
std::vector<Error> coerce_variables(const Schema& schema, const OperationDefinition& operation,
                                    const boost::json::object* provided, const Limits& limits,
                                    boost::json::object& coerced);

}  // namespace basalt::graphql
