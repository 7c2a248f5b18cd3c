// The "select" field type (core/field_select.go): one or up to maxSelect of fixed values.

#include <algorithm>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

void read_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<SelectOptions>(options);
  in.read("values", o.values);
  in.read("maxSelect", o.max_select);
}

void write_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<SelectOptions>(options);
  out["maxSelect"] = o.max_select;
  out["values"] = list_json(o.values);
}

void check_options(const Field& field, const DefinitionContext&, const ErrorScope& out) {
  const auto& o = std::get<SelectOptions>(field.options);
  if (items(o.values).empty()) out.add("values", error_required());
  auto max = std::max<std::int64_t>(static_cast<std::int64_t>(items(o.values).size()), 1);
  if (o.max_select < 0) out.add("maxSelect", error_min_threshold(0));
  check_max(out, "maxSelect", o.max_select, max);
}

ColumnSpec column(const Field& field) {
  if (field.is_multiple()) {
    return ColumnSpec{{}, ColumnKind::kJson, ColumnDefault::kEmptyJsonArray, false, true};
  }
  return ColumnSpec{{}, ColumnKind::kText, ColumnDefault::kEmptyText, false, true};
}

boost::json::value prepare(const Field& field, const boost::json::value& raw) {
  return list_value(field, to_unique_strings(raw));
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<SelectOptions>(ctx.field.options);
  std::vector<std::string> selected = list_of(value);
  if (selected.empty()) {
    if (ctx.field.required) return error_required();
    return std::nullopt;
  }
  auto max = std::max<std::int64_t>(o.max_select, 1);
  if (static_cast<std::int64_t>(selected.size()) > max) {
    return make_error("validation_too_many_values", "Select no more than {{.maxSelect}}",
                      {{"maxSelect", max}});
  }
  const auto& allowed = items(o.values);
  for (const auto& item : selected) {
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      return make_error("validation_invalid_value", "Invalid value {{.value}}", {{"value", item}});
    }
  }
  return std::nullopt;
}

}  // namespace

FieldTypeInfo select_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kSelect;
  info.name = field_type_name(FieldType::kSelect);
  info.modifiers = modifier_bit(Modifier::kAppend) | modifier_bit(Modifier::kPrepend) |
                   modifier_bit(Modifier::kSubtract);
  info.read_options = read_options;
  info.write_options = write_options;
  info.check_options = check_options;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply_list;
  info.finalize = nullptr;
  info.validate = validate;
  return info;
}

}  // namespace basalt::schema::detail
