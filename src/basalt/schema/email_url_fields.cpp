// The "email" and "url" field types (core/field_email.go, core/field_url.go): a formatted
// string, optionally restricted to (onlyDomains) or barred from (exceptDomains) some domains.

#include <algorithm>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/text_formats.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

template <typename Options>
void read_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<Options>(options);
  in.read("exceptDomains", o.except_domains);
  in.read("onlyDomains", o.only_domains);
}

template <typename Options>
void write_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<Options>(options);
  out["exceptDomains"] = list_json(o.except_domains);
  out["onlyDomains"] = list_json(o.only_domains);
}

// One list must be empty when the other is set; every entry must be a domain name.
void check_domains(const ErrorScope& out, std::string_view key, const StringList& list,
                   const StringList& other) {
  if (!items(other).empty()) {
    if (!items(list).empty()) out.add(key, error_empty());
    return;
  }
  const auto& entries = items(list);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].empty() && !is_domain(entries[i])) {
      out.add({std::string(key), std::to_string(i)},
              make_error("validation_is_domain", "must be a valid domain"));
    }
  }
}

template <typename Options>
void check_options(const Field& field, const DefinitionContext&, const ErrorScope& out) {
  const auto& o = std::get<Options>(field.options);
  check_domains(out, "exceptDomains", o.except_domains, o.only_domains);
  check_domains(out, "onlyDomains", o.only_domains, o.except_domains);
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

bool contains(const StringList& list, std::string_view value) {
  const auto& entries = items(list);
  return std::find(entries.begin(), entries.end(), value) != entries.end();
}

// nullopt when `domain` passes the field's lists.
bool domain_allowed(const StringList& only, const StringList& except, std::string_view domain) {
  if (!items(only).empty() && !contains(only, domain)) return false;
  if (!items(except).empty() && contains(except, domain)) return false;
  return true;
}

std::optional<FieldError> validate_email(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<EmailOptions>(ctx.field.options);
  std::string_view text = string_of(value);
  if (text.empty()) {
    if (ctx.field.required) return error_required();
    return std::nullopt;
  }
  if (!is_email(text)) return make_error("validation_is_email", "must be a valid email address");
  std::string_view domain = text.substr(text.rfind('@') + 1);
  if (!domain_allowed(o.only_domains, o.except_domains, domain)) {
    return make_error("validation_email_domain_not_allowed", "Email domain is not allowed");
  }
  return std::nullopt;
}

std::optional<FieldError> validate_url(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<UrlOptions>(ctx.field.options);
  std::string_view text = string_of(value);
  if (text.empty()) {
    if (ctx.field.required) return error_required();
    return std::nullopt;
  }
  if (!is_url(text)) return make_error("validation_invalid_url", "Must be a valid url");
  if (!domain_allowed(o.only_domains, o.except_domains, url_host(text))) {
    return make_error("validation_url_domain_not_allowed", "Url domain is not allowed");
  }
  return std::nullopt;
}

template <typename Options>
FieldTypeInfo string_type(FieldType type) {
  FieldTypeInfo info{};
  info.type = type;
  info.name = field_type_name(type);
  info.read_options = read_options<Options>;
  info.write_options = write_options<Options>;
  info.check_options = check_options<Options>;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply;
  info.finalize = nullptr;
  return info;
}

}  // namespace

FieldTypeInfo email_field_type() {
  FieldTypeInfo info = string_type<EmailOptions>(FieldType::kEmail);
  info.validate = validate_email;
  return info;
}

FieldTypeInfo url_field_type() {
  FieldTypeInfo info = string_type<UrlOptions>(FieldType::kUrl);
  info.validate = validate_url;
  return info;
}

}  // namespace basalt::schema::detail
