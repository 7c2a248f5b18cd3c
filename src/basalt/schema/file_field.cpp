// The "file" field type (core/field_file.go): stored file names.
//
// Until the files module exists, a write may only keep or drop names the record already has:
// a name it does not have is rejected as PocketBase rejects it, and an upload (any JSON object
// in the value: that is how the API layer will hand uploads over) is rejected with
// "File uploads are not supported yet.".

#include <algorithm>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/regex_pattern.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

constexpr std::size_t kMaxReportedName = 250;

const RegexPattern& thumb_size_pattern() {
  static const RegexPattern pattern(R"(^(\d+)x(\d+)(t|b|f)?$)");
  return pattern;
}

// The name of a list item: the string itself, or an upload's "name" member.
std::string item_name(const boost::json::value& item) {
  if (const auto* s = item.if_string()) return std::string(*s);
  if (const auto* obj = item.if_object()) {
    if (auto it = obj->find("name"); it != obj->end()) return to_text(it->value());
  }
  return {};
}

// PocketBase's toSliceValue: strings through to_unique_strings, arrays item by item (an item
// that expands to several names is dropped), uploads kept; de-duplicated by name.
std::vector<boost::json::value> items_of(const boost::json::value& raw) {
  std::vector<boost::json::value> out;
  auto push = [&out](boost::json::value item) {
    std::string name = item_name(item);
    bool upload = item.is_object();
    if (!upload && name.empty()) return;
    for (const auto& existing : out) {
      if (!upload && !existing.is_object() && item_name(existing) == name) return;
    }
    out.push_back(std::move(item));
  };
  if (raw.is_object()) {
    push(raw);
  } else if (const auto* array = raw.if_array()) {
    for (const auto& item : *array) {
      if (item.is_object()) {
        push(item);
        continue;
      }
      std::vector<std::string> names = to_unique_strings(item);
      if (names.size() == 1) push(boost::json::value(names[0]));
    }
  } else {
    for (auto& name : to_unique_strings(raw)) push(boost::json::value(std::move(name)));
  }
  return out;
}

boost::json::value value_of(const Field& field, std::vector<boost::json::value> list) {
  if (field.is_multiple()) return boost::json::array(list.begin(), list.end());
  return list.empty() ? boost::json::value("") : std::move(list.back());
}

void read_options(JsonReader& in, FieldOptions& options) {
  auto& o = std::get<FileOptions>(options);
  in.read("maxSize", o.max_size);
  in.read("maxSelect", o.max_select);
  in.read("mimeTypes", o.mime_types);
  in.read("thumbs", o.thumbs);
  in.read("protected", o.is_protected);
}

void write_options(const FieldOptions& options, boost::json::object& out) {
  const auto& o = std::get<FileOptions>(options);
  out["maxSelect"] = o.max_select;
  out["maxSize"] = o.max_size;
  out["mimeTypes"] = list_json(o.mime_types);
  out["protected"] = o.is_protected;
  out["thumbs"] = list_json(o.thumbs);
}

void check_options(const Field& field, const DefinitionContext&, const ErrorScope& out) {
  const auto& o = std::get<FileOptions>(field.options);
  check_min(out, "maxSelect", o.max_select, 0);
  check_max(out, "maxSelect", o.max_select, kMaxSafeJsonInt);
  check_min(out, "maxSize", o.max_size, 0);
  check_max(out, "maxSize", o.max_size, kMaxSafeJsonInt);
  const auto& thumbs = items(o.thumbs);
  for (std::size_t i = 0; i < thumbs.size(); ++i) {
    const std::string& thumb = thumbs[i];
    if (thumb.empty()) continue;
    ErrorPath path{"thumbs", std::to_string(i)};
    if (thumb == "0x0" || thumb == "0x0t" || thumb == "0x0b" || thumb == "0x0f") {
      out.add(path, error_not_in());
    } else if (!thumb_size_pattern().match(thumb)) {
      out.add(path, error_match());
    }
  }
}

ColumnSpec column(const Field& field) {
  if (field.is_multiple()) {
    return ColumnSpec{{}, ColumnKind::kJson, ColumnDefault::kEmptyJsonArray, false, true};
  }
  return ColumnSpec{{}, ColumnKind::kText, ColumnDefault::kEmptyText, false, true};
}

boost::json::value prepare(const Field& field, const boost::json::value& raw) {
  return value_of(field, items_of(raw));
}

boost::json::value apply(const Field& field, Modifier m, const boost::json::value& raw,
                         const boost::json::value& current) {
  std::vector<boost::json::value> now = items_of(current);
  std::vector<boost::json::value> given = items_of(raw);
  std::vector<boost::json::value> combined;
  switch (m) {
    case Modifier::kSet:
      combined = std::move(given);
      break;
    case Modifier::kAppend:
      combined = std::move(now);
      combined.insert(combined.end(), given.begin(), given.end());
      break;
    case Modifier::kPrepend:
      combined = std::move(given);
      combined.insert(combined.end(), now.begin(), now.end());
      break;
    case Modifier::kSubtract:
      for (auto& item : now) {
        std::string name = item_name(item);
        bool removed = std::any_of(given.begin(), given.end(), [&](const boost::json::value& g) {
          return item_name(g) == name;
        });
        if (!removed) combined.push_back(std::move(item));
      }
      break;
    default:
      return current;
  }
  return value_of(field, items_of(boost::json::array(combined.begin(), combined.end())));
}

std::optional<FieldError> validate(const ValueContext& ctx, const boost::json::value& value) {
  const auto& o = std::get<FileOptions>(ctx.field.options);
  std::vector<boost::json::value> files = items_of(value);
  if (files.empty()) {
    if (ctx.field.required) return error_required();
    return std::nullopt;
  }
  std::vector<std::string> known;
  if (ctx.old_value) {
    for (const auto& item : items_of(*ctx.old_value)) known.push_back(item_name(item));
  }
  boost::json::array invalid;
  bool has_upload = false;
  for (const auto& file : files) {
    if (file.is_object()) {
      has_upload = true;
      continue;
    }
    std::string name = item_name(file);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      invalid.emplace_back(name.substr(0, kMaxReportedName));
    }
  }
  if (!invalid.empty()) {
    return make_error("validation_invalid_file", "Invalid new files: {{.invalidFiles}}.",
                      {{"invalidFiles", std::move(invalid)}});
  }
  auto max = std::max<std::int64_t>(o.max_select, 1);
  if (static_cast<std::int64_t>(files.size()) > max) {
    return make_error("validation_too_many_files", "The maximum allowed files is {{.maxSelect}}",
                      {{"maxSelect", max}});
  }
  if (has_upload) {
    return make_error("validation_invalid_file", "File uploads are not supported yet.");
  }
  return std::nullopt;
}

}  // namespace

FieldTypeInfo file_field_type() {
  FieldTypeInfo info{};
  info.type = FieldType::kFile;
  info.name = field_type_name(FieldType::kFile);
  info.modifiers = modifier_bit(Modifier::kAppend) | modifier_bit(Modifier::kPrepend) |
                   modifier_bit(Modifier::kSubtract);
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
