// The "editor" field type (core/field_editor.go): rich text (HTML) up to maxSize bytes.

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

void read_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<EditorOptions>(options);
  in.read("maxSize", o.max_size);
  in.read("convertURLs", o.convert_urls);
}

void write_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<EditorOptions>(options);
  out["convertURLs"] = o.convert_urls;
  out["maxSize"] = o.max_size;
}

void check_options(const Field& field, const DefinitionContext&, const ErrorScope& out) {
  const auto& o = std::get<EditorOptions>(field.options);
  check_min(out, "maxSize", o.max_size, 0);
  check_max(out, "maxSize", o.max_size, kMaxSafeJsonInt);
}

ColumnSpec column(const Field&) {
  return ColumnSpec{{}, ColumnKind::kText, ColumnDefault::kEmptyText, false, true};
}

boost::json::value prepare(const Field&, const boost::json::value& raw) {
  return boost::json::value(to_text(raw));
}

boost::json::value apply(const Field&, Modifier m, const boost::json::value& raw,
                         const boost::json::value& current) {
  return m == Modifier::kSet ? boost::json::value(to_text(raw)) : current;
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<EditorOptions>(ctx.field.options);
  std::string_view text = string_of(value);
  if (ctx.field.required && text.empty()) return error_required();
  std::int64_t max_size = o.max_size <= 0 ? kDefaultEditorMaxSize : o.max_size;
  if (static_cast<std::int64_t>(text.size()) > max_size) {
    return make_error("validation_content_size_limit",
                      "The maximum allowed content size is {{.maxSize}} bytes",
                      {{"maxSize", max_size}});
  }
  return std::nullopt;
}

}  // namespace

FieldTypeInfo editor_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kEditor;
  info.name = field_type_name(FieldType::kEditor);
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
