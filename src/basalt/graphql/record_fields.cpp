#include "basalt/graphql/record_fields.hpp"

#include "basalt/graphql/generated_schema.hpp"
#include "basalt/schema/index_sql.hpp"

namespace basalt::graphql {

using schema::FieldType;

FieldShape field_shape(const schema::Field& field) {
  FieldShape shape;
  const bool multiple = field.is_multiple();
  switch (field.type()) {
    case FieldType::kNumber: {
      const bool integer = field.as<schema::NumberOptions>()->only_int;
      shape = {FieldShape::kNumber, integer ? "Int" : "Float",
               integer ? "Int_comparison_exp" : "Float_comparison_exp", true, integer};
      break;
    }
    case FieldType::kBool:
      shape = {FieldShape::kBool, "Boolean", "Boolean_comparison_exp", false, false};
      break;
    case FieldType::kJson:
      shape = {FieldShape::kJson, "JSON", "JSON_comparison_exp", false, false};
      break;
    case FieldType::kGeoPoint:
      shape = {FieldShape::kGeoPoint, "GeoPoint", "GeoPoint_comparison_exp", false, false};
      break;
    case FieldType::kRelation:
      shape = {FieldShape::kRelation, "", "", false, false};
      break;
    case FieldType::kFile:
      shape = multiple
                  ? FieldShape{FieldShape::kFile, "[String!]!", "String_array_comparison_exp",
                               false, false}
                  : FieldShape{FieldShape::kFile, "String", "String_comparison_exp", true, false};
      break;
    case FieldType::kSelect:
      shape = multiple
                  ? FieldShape{FieldShape::kMultiText, "[String!]!", "String_array_comparison_exp",
                               false, false}
                  : FieldShape{FieldShape::kText, "String", "String_comparison_exp", true, false};
      break;
    default:  // text, email, url, editor, date, autodate
      shape = {FieldShape::kText, "String", "String_comparison_exp", true, false};
      break;
  }
  return shape;
}

bool exposed_field(const schema::Collection& collection, const schema::Field& field,
                   bool superuser) {
  if (field.type() == FieldType::kPassword) return false;
  if (collection.is_auth() && field.name == schema::kFieldTokenKey) return false;
  if (field.hidden && !superuser) return false;
  return is_exposable_name(field.name);
}

bool single_back_relation(const schema::Collection& collection, const schema::Field& field) {
  return !field.is_multiple() &&
         schema::find_single_column_unique_index(collection.indexes, field.name).has_value();
}

}  // namespace basalt::graphql
