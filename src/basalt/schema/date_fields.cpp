// The "date" and "autodate" field types (core/field_date.go, core/field_autodate.go).
//
// Both hold PocketBase datetime text ("2024-01-02 15:04:05.123Z") or "" for no date. As in
// PocketBase, submitted text that does not parse as a date becomes "" (and then fails only a
// required check). Autodate values cannot be set by clients: the setter ignores them and the
// server stamps them on create (onCreate) and update (onUpdate).

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

DateTime date_of(const boost::json::value& value) {
  return DateTime::parse(to_text(value)).value_or(DateTime());
}

FieldError threshold(std::string_view code, std::string_view words, const DateTime& bound) {
  FieldError error;
  error.code = std::string(code);
  // Go prints a time.Time in the message and its RFC 3339 form in the JSON params.
  error.message = std::string(words) + " " + bound.to_go_string() + ".";
  error.params["threshold"] = bound.to_rfc3339();
  return error;
}

ColumnSpec column(const Field&) {
  return ColumnSpec{{}, ColumnKind::kText, ColumnDefault::kEmptyText, false, true};
}

boost::json::value prepare(const Field&, const boost::json::value& raw) {
  return boost::json::value(date_of(raw).to_string());
}

// --- date ---

void read_date_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<DateOptions>(options);
  in.read("min", o.min);
  in.read("max", o.max);
}

void write_date_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<DateOptions>(options);
  out["max"] = o.max.to_string();
  out["min"] = o.min.to_string();
}

void check_date_options(const Field& field, const DefinitionContext&, const ErrorScope& out) {
  const auto& o = std::get<DateOptions>(field.options);
  if (!o.max.is_zero() && !o.min.is_zero() && o.max < o.min) {
    out.add("max", make_error("validation_date_out_of_range", "the date is out of range"));
  }
}

boost::json::value apply_date(const Field& field, Modifier m, const boost::json::value& raw,
                              const boost::json::value& current) {
  return m == Modifier::kSet ? prepare(field, raw) : current;
}

std::optional<FieldError> validate_date(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<DateOptions>(ctx.field.options);
  DateTime date = date_of(value);
  if (date.is_zero()) {
    if (ctx.field.required) return error_required();
    return std::nullopt;
  }
  if (!o.min.is_zero() && date < o.min) {
    return threshold("validation_min_greater_equal_than_required", "Must be no less than", o.min);
  }
  if (!o.max.is_zero() && date > o.max) {
    return threshold("validation_max_less_equal_than_required", "Must be no greater than", o.max);
  }
  return std::nullopt;
}

// --- autodate ---

void read_autodate_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<AutodateOptions>(options);
  in.read("onCreate", o.on_create);
  in.read("onUpdate", o.on_update);
}

void write_autodate_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<AutodateOptions>(options);
  out["onCreate"] = o.on_create;
  out["onUpdate"] = o.on_update;
}

void check_autodate_options(const Field& field, const DefinitionContext& ctx,
                            const ErrorScope& out) {
  const auto& o = std::get<AutodateOptions>(field.options);
  AutodateOptions old = o;
  if (ctx.old) {
    if (const Field* old_field = ctx.old->field_by_id(field.id)) {
      if (const auto* old_options = old_field->as<AutodateOptions>()) old = *old_options;
    }
  }
  // System autodates keep their behaviour.
  if (field.system && o.on_create != old.on_create) out.add("onCreate", error_values_mismatch());
  if (field.system && o.on_update != old.on_update) out.add("onUpdate", error_values_mismatch());
  if (!o.on_create && !o.on_update) {
    FieldError error =
        make_error("validation_required", "either onCreate or onUpdate must be enabled");
    out.add("onCreate", error);
    out.add("onUpdate", error);
  }
}

boost::json::value apply_autodate(const Field&, Modifier, const boost::json::value&,
                                  const boost::json::value& current) {
  return current;  // not settable through the API: silently ignored, as in PocketBase
}

void finalize_autodate(const Field& field, const FinalizeContext& ctx, boost::json::value& value) {
  const auto& o = std::get<AutodateOptions>(field.options);
  if ((ctx.is_new && o.on_create) || (!ctx.is_new && o.on_update)) value = ctx.now;
}

std::optional<FieldError> validate_autodate(const ValueContext&, const boost::json::value&) {
  return std::nullopt;
}

}  // namespace

FieldTypeInfo date_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kDate;
  info.name = field_type_name(FieldType::kDate);
  info.read_options = read_date_options;
  info.write_options = write_date_options;
  info.check_options = check_date_options;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply_date;
  info.finalize = nullptr;
  info.validate = validate_date;
  return info;
}

FieldTypeInfo autodate_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kAutodate;
  info.name = field_type_name(FieldType::kAutodate);
  info.read_options = read_autodate_options;
  info.write_options = write_autodate_options;
  info.check_options = check_autodate_options;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply_autodate;
  info.finalize = finalize_autodate;
  info.validate = validate_autodate;
  return info;
}

}  // namespace basalt::schema::detail
