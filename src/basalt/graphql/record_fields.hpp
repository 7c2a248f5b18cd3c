// How a collection's field appears in GraphQL (docs/graphql.md, "Field types"): its output
// type, its comparison input in `<c>_bool_exp`, whether `<c>_order_by` and min/max take it.
// Shared by the schema generator and the executor, so the two cannot disagree.
#pragma once

#include <cstdint>
#include <string>

#include "basalt/schema/collection.hpp"

namespace basalt::graphql {

struct FieldShape {
  enum Kind : std::uint8_t {
    kText,
    kNumber,
    kBool,
    kJson,
    kGeoPoint,
    kMultiText,
    kFile,
    kRelation
  };
  Kind kind = kText;
  std::string graphql_type;  // the output type ("" for relations: the target decides)
  std::string comparison;    // the `_bool_exp` input type; "" when the field cannot be compared
  bool orderable = false;    // in `_order_by`, and in min/max
  bool integer = false;      // a number with onlyInt: answered as Int
};

FieldShape field_shape(const schema::Field& field);

// Whether `field` of `collection` is part of the GraphQL type for this class of caller: never
// `password` or `tokenKey` of an auth collection (nor any password field); hidden fields only
// for superusers; only fields whose names are GraphQL names.
bool exposed_field(const schema::Collection& collection, const schema::Field& field,
                   bool superuser);

// Whether the back-relation through `field` of `collection` holds one record at most (a single
// relation with a unique index of its own): then `<collection>_via_<field>` is an object.
bool single_back_relation(const schema::Collection& collection, const schema::Field& field);

}  // namespace basalt::graphql
