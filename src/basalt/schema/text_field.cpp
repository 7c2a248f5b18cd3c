// The "text" field type (core/field_text.go), including the primary key "id" field.

#include <array>
#include <chrono>
#include <optional>
#include <string>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/field_options.hpp"
#include "basalt/schema/time_ordered_id.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

// Characters a custom primary key may not hold (it often names a directory on disk).
constexpr std::array<std::string_view, 19> kForbiddenPkCharacters = {
    ".",  "/",  "\\", "|", "\"",
    "'",  "`",  "<",  ">", ":",
    "?",  "*",  "%",  "$", std::string_view("\0", 1),
    "\t", "\n", "\r", " "};

// Reserved Windows file names, compared case-insensitively.
constexpr std::array<std::string_view, 22> kReservedPks = {
    "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"};

constexpr std::size_t kLongestReservedPk = 4;
constexpr int kAutogenerateProbes = 10;

std::string go_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void read_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<TextOptions>(options);
  in.read("min", o.min);
  in.read("max", o.max);
  in.read("pattern", o.pattern);
  in.read("autogeneratePattern", o.autogenerate);
  in.read("primaryKey", o.primary_key);
}

void write_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<TextOptions>(options);
  out["autogeneratePattern"] = o.autogenerate.source();
  out["max"] = o.max;
  out["min"] = o.min;
  out["pattern"] = o.pattern.source();
  out["primaryKey"] = o.primary_key;
}

void check_options(const Field& field, const DefinitionContext& ctx, const ErrorScope& out) {
  const auto& o = std::get<TextOptions>(field.options);
  if (o.primary_key && field.name != kFieldId) {
    out.add("name", make_error("validation_in_invalid", "The primary key must be named \"id\"."));
  }
  if (o.primary_key) {
    int primary_keys = 0;
    for (const auto& other : ctx.collection.fields) primary_keys += other.is_primary_key();
    if (primary_keys > 1) {
      out.add(
          "primaryKey",
          make_error("validation_unsupported_composite_pk",
                     "Composite PKs are not supported and the collection must have only 1 PK."));
    }
  }
  check_min(out, "min", o.min, 0);
  check_max(out, "min", o.min, kMaxSafeJsonInt);
  check_min(out, "max", o.max, o.min);
  check_max(out, "max", o.max, kMaxSafeJsonInt);
  if (o.primary_key && o.pattern.empty()) out.add("pattern", error_required());
  check_regex(out, "pattern", o.pattern);
  if (o.primary_key && field.hidden) out.add("hidden", error_empty());
  if (o.primary_key && !field.required) out.add("required", error_required());

  if (o.autogenerate.empty()) return;
  if (!RegexPattern(o.autogenerate.source()).valid()) {
    out.add("autogeneratePattern",
            make_error("validation_invalid_regex", RegexPattern(o.autogenerate.source()).error()));
    return;
  }
  if (!o.autogenerate.valid()) {
    out.add("autogeneratePattern",
            make_error("validation_invalid_autogenerate_pattern",
                       "Unsupported autogenerate pattern - " + o.autogenerate.error()));
    return;
  }
  // Loosely check that generated values pass the field's own constraints.
  for (int i = 0; i < kAutogenerateProbes; ++i) {
    std::string sample = o.autogenerate.generate();
    if (validate_plain_text(o, field.required, sample)) {
      out.add("autogeneratePattern",
              make_error("validation_invalid_autogenerate_pattern_value",
                         "The provided autogenerate pattern could produce invalid field values, "
                         "ex.: " +
                             go_quote(sample)));
      return;
    }
  }
}

ColumnSpec column(const Field& field) {
  if (field.is_primary_key()) {
    return ColumnSpec{{}, ColumnKind::kText, ColumnDefault::kRandomId, true, true};
  }
  return ColumnSpec{{}, ColumnKind::kText, ColumnDefault::kEmptyText, false, true};
}

boost::json::value prepare(const Field&, const boost::json::value& raw) {
  return boost::json::value(to_text(raw));
}

boost::json::value apply(const Field& field, Modifier m, const boost::json::value& raw,
                         const boost::json::value& current) {
  const auto& o = std::get<TextOptions>(field.options);
  switch (m) {
    case Modifier::kSet:
      return boost::json::value(to_text(raw));
    case Modifier::kAutogenerate:
      return boost::json::value(to_text(raw) + o.autogenerate.generate());
    default:
      return current;
  }
}

void finalize(const Field& field, const FinalizeContext& ctx, boost::json::value& value) {
  const auto& o = std::get<TextOptions>(field.options);
  if (ctx.is_new && !o.autogenerate.empty() && string_of(value).empty()) {
    value = autogenerate_text(o, ctx.now);
  }
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<TextOptions>(ctx.field.options);
  std::string_view text = string_of(value);
  bool custom_pattern = o.pattern.source() != kDefaultIdPattern;
  if (o.primary_key) {
    if (!ctx.is_new) {
      std::string_view old = ctx.old_value ? string_of(*ctx.old_value) : std::string_view();
      if (old != text) {
        return make_error("validation_pk_change", "The record primary key cannot be changed.");
      }
      // An existing id is never re-validated: it may come from an import that predates the
      // current pattern.
      if (!old.empty()) return std::nullopt;
    } else if (custom_pattern && ctx.lookup && !text.empty() &&
               ctx.lookup->id_exists(ctx.collection, text, true)) {
      return make_error("validation_pk_invalid",
                        "The record primary key is invalid or already exists.");
    }
  }
  if (auto error = validate_plain_text(o, ctx.field.required, text)) return error;
  if (o.primary_key && ctx.is_new && !custom_pattern && ctx.lookup &&
      ctx.lookup->id_exists(ctx.collection, text, false)) {
    // What the insert's unique constraint would report (validators.NormalizeUniqueIndexError).
    return make_error("validation_not_unique", "Value must be unique");
  }
  return std::nullopt;
}

}  // namespace

std::optional<FieldError> validate_plain_text(const TextOptions& o, bool required,
                                              std::string_view value) {
  if ((required || o.primary_key) && value.empty()) return error_required();
  if (value.empty()) return std::nullopt;

  std::size_t length = rune_count(value);
  if (o.min > 0 && static_cast<std::int64_t>(length) < o.min) {
    return make_error("validation_min_text_constraint", "Must be at least {{.min}} character(s)",
                      {{"min", o.min}});
  }
  std::int64_t max = o.max == 0 ? kDefaultTextMaxLength : o.max;
  if (max > 0 && static_cast<std::int64_t>(length) > max) {
    return make_error("validation_max_text_constraint",
                      "Must be no more than {{.max}} character(s)", {{"max", max}});
  }
  if (!o.pattern.empty() && !o.pattern.match(value)) {
    return make_error("validation_invalid_format", "Invalid value format");
  }
  if (o.primary_key && o.pattern.source() != kDefaultIdPattern) {
    for (std::string_view ch : kForbiddenPkCharacters) {
      if (value.find(ch) != std::string_view::npos) {
        return make_error("validation_forbidden_pk_character",
                          "'{{.ch}}' is not a valid primary key character.",
                          {{"ch", std::string(ch)}});
      }
    }
    if (length <= kLongestReservedPk) {
      for (std::string_view reserved : kReservedPks) {
        if (iequals(value, reserved)) {
          return make_error("validation_reserved_pk",
                            "The primary key '{{.reserved}}' is reserved and cannot be used.",
                            {{"reserved", std::string(reserved)}});
        }
      }
    }
  }
  return std::nullopt;
}

FieldTypeInfo text_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kText;
  info.name = field_type_name(FieldType::kText);
  info.modifiers = modifier_bit(Modifier::kAutogenerate);
  info.read_options = read_options;
  info.write_options = write_options;
  info.check_options = check_options;
  info.column = column;
  info.prepare = prepare;
  info.apply = apply;
  info.finalize = finalize;
  info.validate = validate;
  return info;
}

}  // namespace basalt::schema::detail

namespace basalt::schema {
namespace {

// Milliseconds since 1970 of a write's datetime text, else of the wall clock (a write always
// passes its time; the wall clock serves callers outside a write, such as GraphQL's nested
// creates choosing an id first). A batch gives one text to many records: parsed once per thread.
std::int64_t unix_millis_of(std::string_view now) {
  thread_local std::string last_text;
  thread_local std::int64_t last_millis = 0;
  if (!now.empty() && now == last_text) return last_millis;
  static const std::int64_t kUnixEpochMicros =
      DateTime::from_time_point(std::chrono::system_clock::time_point{}).micros_since_year_one();
  if (const auto parsed = now.empty() ? std::nullopt : DateTime::parse(now)) {
    last_text = now;
    last_millis = (parsed->micros_since_year_one() - kUnixEpochMicros) / 1000;
    return last_millis;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string autogenerate_text(const TextOptions& options, std::string_view now) {
  if (options.primary_key && options.autogenerate.source() == kDefaultIdAutogenerate) {
    return new_time_ordered_id(unix_millis_of(now));
  }
  return options.autogenerate.generate();
}

std::string new_id_of(const Collection& collection) {
  const Field* id_field = collection.field_by_name(kFieldId);
  const auto* options = id_field != nullptr ? id_field->as<TextOptions>() : nullptr;
  return options != nullptr ? autogenerate_text(*options, {}) : std::string();
}

}  // namespace basalt::schema
