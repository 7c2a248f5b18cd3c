#include "basalt/settings/settings_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "basalt/schema/go_json.hpp"
#include "basalt/schema/json_reader.hpp"

namespace basalt::settings {
namespace {

namespace json = boost::json;

// Writes each member a section visits into one JSON object, in visiting order.
class Writer {
 public:
  Writer(json::object& out, SettingsForm form) : out_(&out), form_(form) {}

  void field(std::string_view key, bool value) { (*out_)[key] = value; }
  void field(std::string_view key, std::int64_t value) { (*out_)[key] = value; }
  void field(std::string_view key, const std::string& value) { (*out_)[key] = value; }
  void field(std::string_view key, const std::vector<std::string>& values) {
    json::array array;
    array.reserve(values.size());
    for (const auto& value : values) array.emplace_back(value);
    (*out_)[key] = std::move(array);
  }

  void secret(std::string_view key, const std::string& value) {
    if (form_ == SettingsForm::kStorage && !value.empty()) (*out_)[key] = value;
  }

  template <typename Section>
  void section(std::string_view key, const Section& section) {
    (*out_)[key] = write(section);
  }

  template <typename Item>
  void list(std::string_view key, const std::vector<Item>& items) {
    json::array array;
    array.reserve(items.size());
    for (const auto& item : items) array.emplace_back(write(item));
    (*out_)[key] = std::move(array);
  }

 private:
  template <typename Section>
  json::object write(const Section& section) const {
    json::object object;
    Writer nested(object, form_);
    Section::visit(section, nested);
    return object;
  }

  json::object* out_;
  SettingsForm form_;
};

// Reads each member a section visits from one JSON object (schema::JsonReader semantics).
class Reader {
 public:
  Reader(const json::object& object, schema::ErrorScope errors)
      : object_(&object), reader_(object, std::move(errors)) {}

  template <typename Value>
  void field(std::string_view key, Value& value) {
    reader_.read(key, value);
  }

  void secret(std::string_view key, std::string& value) { reader_.read(key, value); }

  template <typename Section>
  void section(std::string_view key, Section& section) {
    if (const json::object* nested = reader_.object(key)) {
      Reader inner(*nested, reader_.errors().nested(key));
      Section::visit(section, inner);
    }
  }

  // Go replaces a slice from a JSON array and resets it to nil (written as []) from null.
  template <typename Item>
  void list(std::string_view key, std::vector<Item>& items) {
    const json::value* value = object_->if_contains(key);
    if (value && value->is_null()) {
      items.clear();
      return;
    }
    const json::array* array = reader_.array(key);
    if (!array) return;
    const schema::ErrorScope scope = reader_.errors().nested(key);
    std::vector<Item> read(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
      const json::value& element = (*array)[i];
      const std::string index = std::to_string(i);
      if (element.is_object()) {
        Reader inner(element.get_object(), scope.nested(index));
        Item::visit(read[i], inner);
      } else if (!element.is_null()) {
        scope.add(index, schema::error_unsupported_type());
      }
    }
    items = std::move(read);
  }

 private:
  const json::object* object_;
  schema::JsonReader reader_;
};

}  // namespace

json::object settings_to_json(const AppSettings& settings, SettingsForm form) {
  json::object out;
  Writer writer(out, form);
  AppSettings::visit(settings, writer);
  return out;
}

std::string serialize_settings(const AppSettings& settings, SettingsForm form) {
  return schema::serialize_go_json(settings_to_json(settings, form));
}

void read_settings(const json::object& body, AppSettings& settings,
                   schema::ValidationErrors& errors) {
  Reader reader(body, schema::ErrorScope(errors, {}));
  AppSettings::visit(settings, reader);
}

AppSettings settings_from_storage(const std::optional<std::string>& stored) {
  AppSettings settings;
  if (!stored) return settings;
  boost::system::error_code ec;
  json::value value = json::parse(*stored, ec);
  if (ec || !value.is_object()) {
    throw std::runtime_error(
        "the stored application settings (_params row \"settings\") are not a JSON object; "
        "encrypted settings are not supported");
  }
  schema::ValidationErrors ignored;  // a mistyped stored key keeps its default
  read_settings(value.as_object(), settings, ignored);
  return settings;
}

}  // namespace basalt::settings
