// The "number" field type (core/field_number.go): a float64 with optional bounds, and the
// "field+" / "field-" body modifiers that add to or subtract from the current value.

#include <cmath>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

bool is_integral(double value) {
  return std::trunc(value) == value;
}

FieldError only_int_error() {
  return make_error("validation_only_int_constraint", "Decimal numbers are not allowed");
}

FieldError min_error(double min) {
  return make_error("validation_min_number_constraint", "Must be greater or equal than {{.min}}",
                    {{"min", json_number(min)}});
}

FieldError max_error(double max) {
  return make_error("validation_max_number_constraint", "Must be less or equal than {{.max}}",
                    {{"max", json_number(max)}});
}

double number_of(const boost::json::value& value) {
  if (const auto* d = value.if_double()) return *d;
  return to_number(value);
}

void read_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<NumberOptions>(options);
  in.read("min", o.min);
  in.read("max", o.max);
  in.read("onlyInt", o.only_int);
}

void write_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<NumberOptions>(options);
  out["max"] = o.max ? json_number(*o.max) : boost::json::value(nullptr);
  out["min"] = o.min ? json_number(*o.min) : boost::json::value(nullptr);
  out["onlyInt"] = o.only_int;
}

void check_options(const Field& field, const DefinitionContext&, const ErrorScope& out) {
  const auto& o = std::get<NumberOptions>(field.options);
  if (o.only_int && o.min && !is_integral(*o.min)) out.add("min", only_int_error());
  if (o.only_int && o.max && !is_integral(*o.max)) out.add("max", only_int_error());
  if (o.min && o.max && *o.max < *o.min) out.add("max", min_error(*o.min));
}

ColumnSpec column(const Field&) {
  return ColumnSpec{{}, ColumnKind::kReal, ColumnDefault::kZero, false, true};
}

boost::json::value prepare(const Field&, const boost::json::value& raw) {
  return to_number(raw);
}

boost::json::value apply(const Field&, Modifier m, const boost::json::value& raw,
                         const boost::json::value& current) {
  switch (m) {
    case Modifier::kSet:
      return to_number(raw);
    case Modifier::kAppend:
      return number_of(current) + to_number(raw);
    case Modifier::kSubtract:
      return number_of(current) - to_number(raw);
    default:
      return current;
  }
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<NumberOptions>(ctx.field.options);
  double v = number_of(value);
  if (!std::isfinite(v)) {
    return make_error("validation_not_a_number", "The submitted number is not properly formatted");
  }
  if (v == 0) {
    if (ctx.field.required) return error_required();
    return std::nullopt;
  }
  if (o.only_int && !is_integral(v)) return only_int_error();
  if (o.min && v < *o.min) return min_error(*o.min);
  if (o.max && v > *o.max) return max_error(*o.max);
  return std::nullopt;
}

}  // namespace

FieldTypeInfo number_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kNumber;
  info.name = field_type_name(FieldType::kNumber);
  info.modifiers = modifier_bit(Modifier::kAppend) | modifier_bit(Modifier::kSubtract);
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
