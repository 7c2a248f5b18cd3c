// JsonReader: reads typed members of a JSON object onto existing values, the way Go's
// encoding/json unmarshals onto a struct, but reporting type mismatches as validation errors
// instead of failing the whole document.
//
//   - a missing key leaves the target unchanged (so a PATCH body merges onto the stored value);
//   - JSON null leaves non-nullable targets unchanged and resets nullable ones (optional,
//     StringList) to null, as Go does for pointers and slices;
//   - a value of the wrong JSON type records validation_unsupported_value_type at the key and
//     leaves the target unchanged.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "basalt/schema/datetime.hpp"
#include "basalt/schema/field_options.hpp"
#include "basalt/schema/validation_errors.hpp"

namespace basalt::schema {

class JsonReader {
 public:
  JsonReader(const boost::json::object& object, ErrorScope errors)
      : object_(&object), errors_(std::move(errors)) {}

  bool has(std::string_view key) const { return object_->contains(key); }

  void read(std::string_view key, std::string& out);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, std::int64_t& out);
  void read(std::string_view key, std::optional<double>& out);
  void read(std::string_view key, std::optional<bool>& out);
  void read(std::string_view key, std::optional<std::string>& out);
  void read(std::string_view key, StringList& out);
  void read(std::string_view key, std::vector<std::string>& out);
  // A datetime string; text that does not parse becomes the zero (empty) date, as in Go.
  void read(std::string_view key, DateTime& out);
  void read(std::string_view key, RegexPattern& out);
  void read(std::string_view key, GeneratorPattern& out);
  // Any JSON value, copied as is.
  void read(std::string_view key, boost::json::value& out);

  // The nested object at `key`; nullptr when missing or null (a non-object is an error).
  const boost::json::object* object(std::string_view key);
  // The array at `key`; nullptr when missing or null (a non-array is an error).
  const boost::json::array* array(std::string_view key);

  const ErrorScope& errors() const noexcept { return errors_; }

 private:
  // The value at `key`, or nullptr when missing.
  const boost::json::value* find(std::string_view key) const;
  void mismatch(std::string_view key);

  const boost::json::object* object_;
  ErrorScope errors_;
};

}  // namespace basalt::schema
