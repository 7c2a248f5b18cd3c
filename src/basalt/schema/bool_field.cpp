// The "bool" field type (core/field_bool.go). Required means "must be true".

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

void read_options(JsonReader&, FieldOptions&) {}
void write_options(const FieldOptions&, boost::json::object&) {}
void check_options(const Field&, const DefinitionContext&, const ErrorScope&) {}

ColumnSpec column(const Field&) {
  return ColumnSpec{{}, ColumnKind::kBool, ColumnDefault::kFalse, false, true};
}

boost::json::value prepare(const Field&, const boost::json::value& raw) {
  return to_boolean(raw);
}

boost::json::value apply(const Field&, Modifier m, const boost::json::value& raw,
                         const boost::json::value& current) {
  return m == Modifier::kSet ? boost::json::value(to_boolean(raw)) : current;
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  if (ctx.field.required && !to_boolean(value)) return error_required();
  return std::nullopt;
}

}  // namespace

FieldTypeInfo bool_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kBool;
  info.name = field_type_name(FieldType::kBool);
  info.read_options = read_options;
  info.write_options = write_options;
  info.check_options = check_options;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply;
  info.finalize = nullptr;
  info.validate = validate;
  return info;
}

}  // namespace basalt::schema::detail
