// The "file" field type (core/field_file.go): stored file names.
//
// A write may keep or drop names the record already has (a name it does not have is rejected
// as PocketBase rejects it) and add uploads. An upload is a JSON object in the value (see
// file_limits.hpp, kUploadMarker): only the record service puts one there, after removing
// every object a client sent, and replaces it with its stored name once validated.

#include <algorithm>

#include "basalt/schema/builtin_field_types.hpp"
#include "basalt/schema/file_limits.hpp"
#include "basalt/schema/regex_pattern.hpp"
#include "basalt/schema/value_cast.hpp"

namespace basalt::schema::detail {
namespace {

constexpr std::size_t kMaxReportedName = 250;

// PocketBase's looseFilenameRegex: a stored name never starts with '.', '/' or '\\' and holds
// no '/' or '\\'.
const RegexPattern& loose_filename_pattern() {
  static const RegexPattern pattern(R"(^[^\./\\][^/\\]+$)");
  return pattern;
}

std::string member_text(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

// Go's %q of a valid UTF-8 string: quotes, with '"' and '\\' escaped and control bytes as
// escapes (enough for a file name in an error message).
std::string go_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

// A field's mimeTypes entry matches the detected type ignoring ASCII case and parameters.
bool files_mime_allowed(std::string_view detected, const std::vector<std::string>& allowed) {
  auto essence = [](std::string_view type) {
    type = type.substr(0, type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
    std::string out(type);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    return out;
  };
  const std::string type = essence(detected);
  for (const auto& entry : allowed) {
    if (essence(entry) == type) return true;
  }
  return false;
}

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
  auto max = file_max_select(o);
  if (static_cast<std::int64_t>(files.size()) > max) {
    return make_error("validation_too_many_files", "The maximum allowed files is {{.maxSelect}}",
                      {{"maxSelect", max}});
  }
  if (!has_upload) return std::nullopt;
  const std::int64_t max_size = file_max_size(o);
  for (const auto& file : files) {
    const auto* upload = file.if_object();
    if (!upload) continue;
    const std::string name = item_name(file);
    const std::string original = member_text(*upload, kUploadOriginalName);
    if (name.empty() || name.size() > 150) return error_length(1, 150);
    if (!loose_filename_pattern().match(name)) return error_match();
    const boost::json::value* size = upload->if_contains(kUploadSize);
    if (!size || !size->is_int64() || size->get_int64() > max_size) {
      return make_error("validation_file_size_limit",
                        "Failed to upload " + go_quote(original) +
                            " - the maximum allowed file size is " + std::to_string(max_size) +
                            " bytes.",
                        {{"file", original}, {"maxSize", max_size}});
    }
    const auto& allowed = items(o.mime_types);
    if (!allowed.empty()) {
      const std::string type = member_text(*upload, kUploadMimeType);
      if (!files_mime_allowed(type, allowed)) {
        std::string list;
        for (const auto& entry : allowed) list += (list.empty() ? "" : ", ") + entry;
        return make_error("validation_invalid_mime_type",
                          go_quote(name) + " mime type must be one of: " + list + ".");
      }
    }
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
