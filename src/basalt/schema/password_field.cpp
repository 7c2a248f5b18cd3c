// The "password" field type (core/field_password.go).
//
// Hashing is the auth module's job. While a write is validated the value is the working object
// {"hash": <stored hash or "">, "plain": <new plaintext or "">}; setting the field replaces the
// hash by a pending plaintext. The stored form is the hash, or "" while a plaintext awaits
// hashing (record_validator.hpp hands the plaintext over separately).

#include <fmt/format.h>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

constexpr std::int64_t kMinBcryptCost = 4;
constexpr std::int64_t kMaxBcryptCost = 31;

struct Working {
  std::string_view hash;
  std::string_view plain;
};

Working parts(const boost::json::value& value) {
  Working w;
  if (const auto* obj = value.if_object()) {
    if (auto it = obj->find("hash"); it != obj->end()) w.hash = string_of(it->value());
    if (auto it = obj->find("plain"); it != obj->end()) w.plain = string_of(it->value());
  } else {
    w.hash = string_of(value);
  }
  return w;
}

boost::json::value working(std::string hash, std::string plain) {
  return boost::json::object{{"hash", std::move(hash)}, {"plain", std::move(plain)}};
}

void read_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<PasswordOptions>(options);
  in.read("pattern", o.pattern);
  in.read("min", o.min);
  in.read("max", o.max);
  in.read("cost", o.cost);
}

void write_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<PasswordOptions>(options);
  out["cost"] = o.cost;
  out["max"] = o.max;
  out["min"] = o.min;
  out["pattern"] = o.pattern.source();
}

void check_options(const Field& field, const DefinitionContext&, const ErrorScope& out) {
  const auto& o = std::get<PasswordOptions>(field.options);
  check_min(out, "min", o.min, 1);
  check_max(out, "min", o.min, kDefaultPasswordMaxLength);
  check_min(out, "max", o.max, o.min);
  check_max(out, "max", o.max, kDefaultPasswordMaxLength);
  check_min(out, "cost", o.cost, kMinBcryptCost);
  check_max(out, "cost", o.cost, kMaxBcryptCost);
  check_regex(out, "pattern", o.pattern);
}

ColumnSpec column(const Field&) {
  return ColumnSpec{{}, ColumnKind::kText, ColumnDefault::kEmptyText, false, true};
}

boost::json::value prepare(const Field&, const boost::json::value& raw) {
  if (raw.is_object()) return raw;  // already a working value
  return working(to_text(raw), "");
}

boost::json::value apply(const Field&, Modifier m, const boost::json::value& raw,
                         const boost::json::value& current) {
  if (m != Modifier::kSet) return current;
  return working("", to_text(raw));
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<PasswordOptions>(ctx.field.options);
  Working w = parts(value);
  if (ctx.field.required && w.hash.empty() && w.plain.empty()) return error_required();
  if (w.plain.empty()) return std::nullopt;

  auto length = static_cast<std::int64_t>(rune_count(w.plain));
  if (length < o.min) {
    return make_error("validation_min_text_constraint",
                      fmt::format("Must be at least {} character(s)", o.min));
  }
  std::int64_t max = o.max <= 0 ? kDefaultPasswordMaxLength : o.max;
  if (length > max) {
    return make_error("validation_max_text_constraint",
                      fmt::format("Must be less than {} character(s)", max));
  }
  if (!o.pattern.empty() && !o.pattern.match(w.plain)) {
    return make_error("validation_invalid_format", "Invalid value format");
  }
  return std::nullopt;
}

boost::json::value store(const Field&, const boost::json::value& value) {
  Working w = parts(value);
  return w.plain.empty() ? boost::json::value(w.hash) : boost::json::value("");
}

}  // namespace

FieldTypeInfo password_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kPassword;
  info.name = field_type_name(FieldType::kPassword);
  info.read_options = read_options;
  info.write_options = write_options;
  info.check_options = check_options;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply;
  info.finalize = nullptr;
  info.validate = validate;
  info.store = store;
  return info;
}

}  // namespace basalt::schema::detail
