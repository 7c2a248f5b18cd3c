// The "json" field type (core/field_json.go): any JSON value up to maxSize bytes, null when
// empty. Submitted strings that hold JSON ("[1,2]", "true", "12") are parsed, as PocketBase
// does for multipart bodies; other strings are kept as JSON strings.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>

#include "basalt/schema/builtin_field_types.hpp"

namespace basalt::schema::detail {
namespace {

void read_options(JsonReader& in, FieldOptions& options) {
  in.read("maxSize", std::get<JsonOptions>(options).max_size);
}

void write_options(const FieldOptions& options, boost::json::object& out) {
  out["maxSize"] = std::get<JsonOptions>(options).max_size;
}

void check_options(const Field& field, const DefinitionContext&, const ErrorScope& out) {
  const auto& o = std::get<JsonOptions>(field.options);
  check_min(out, "maxSize", o.max_size, 0);
  check_max(out, "maxSize", o.max_size, kMaxSafeJsonInt);
}

ColumnSpec column(const Field&) {
  return ColumnSpec{{}, ColumnKind::kJson, ColumnDefault::kNull, false, false};
}

boost::json::value prepare(const Field&, const boost::json::value& raw) {
  const auto* text = raw.if_string();
  if (!text || text->empty()) return raw;
  char first = (*text)[0];
  bool looks_like_json = (first >= '0' && first <= '9') || first == '-' || first == '"' ||
                         first == '[' || first == '{' || *text == "null" || *text == "true" ||
                         *text == "false";
  if (looks_like_json) {
    boost::system::error_code ec;
    boost::json::value parsed = boost::json::parse(*text, ec);
    if (!ec) return parsed;
  }
  return raw;
}

boost::json::value apply(const Field& field, Modifier m, const boost::json::value& raw,
                         const boost::json::value& current) {
  return m == Modifier::kSet ? prepare(field, raw) : current;
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<JsonOptions>(ctx.field.options);
  std::string raw = value.is_null() ? std::string() : boost::json::serialize(value);
  std::int64_t max_size = o.max_size <= 0 ? kDefaultJsonMaxSize : o.max_size;
  if (static_cast<std::int64_t>(raw.size()) > max_size) {
    return make_error("validation_json_size_limit",
                      "The maximum allowed JSON size is {{.maxSize}} bytes",
                      {{"maxSize", max_size}});
  }
  constexpr std::array<std::string_view, 5> kEmpty = {"null", "\"\"", "[]", "{}", ""};
  if (ctx.field.required &&
      std::find(kEmpty.begin(), kEmpty.end(), std::string_view(raw)) != kEmpty.end()) {
    return error_required();
  }
  return std::nullopt;
}

}  // namespace

FieldTypeInfo json_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kJson;
  info.name = field_type_name(FieldType::kJson);
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
