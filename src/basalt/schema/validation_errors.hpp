// ValidationErrors: every problem found in one input, keyed by where it was found, rendered as
// the `data` object of PocketBase's error body (docs/api.md, "Errors"):
//
//   {"name":{"code":"validation_required","message":"Cannot be blank."},
//    "fields":{"2":{"name":{"code":"validation_match_invalid","message":"Must be in a valid
//    format."}}}}
//
// Invariants:
//   1. At most one error per path: the first one added wins. PocketBase stops at a key's first
//      failing rule, so callers add errors in PocketBase's rule order.
//   2. A path never both holds an error and has errors beneath it: whichever was added first
//      wins and the other is dropped (PocketBase returns either a leaf or a nested object).
//   3. Keys are rendered in byte order at every level, as Go renders its error maps.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/api_error.hpp"

namespace basalt::schema {

// One problem, as the client sees it.
struct FieldError {
  std::string code;            // e.g. "validation_required"
  std::string message;         // sentence-cased, ends in '.', '?' or '!'
  boost::json::object params;  // template parameters; omitted from the JSON when empty

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

using ErrorPath = std::vector<std::string>;

class ValidationErrors {
 public:
  // Adds `error` at `path` (non-empty). Returns false when invariant 1 or 2 drops it.
  bool add(const ErrorPath& path, FieldError error);

  // The error stored exactly at `path`, or nullptr.
  const FieldError* find(const ErrorPath& path) const;
  // True when an error sits at `prefix` or anywhere beneath it.
  bool has_under(const ErrorPath& prefix) const;

  bool empty() const noexcept { return errors_.empty(); }
  std::size_t size() const noexcept { return errors_.size(); }

  // Adds every error of `other` under `prefix`, following the same invariants.
  void merge(const ValidationErrors& other, const ErrorPath& prefix = {});

  // The nested `data` object.
  boost::json::object to_json() const;

  // A 400 ApiError with `message` (e.g. "Failed to create record.") and these errors as data.
  core::ApiError to_api_error(std::string message) const;

  const std::map<ErrorPath, FieldError>& entries() const noexcept { return errors_; }

 private:
  std::map<ErrorPath, FieldError> errors_;
};

// A view of a ValidationErrors that prefixes every path, so a nested validator can write
// `scope.add("name", ...)` without knowing it sits under "fields" / "2".
class ErrorScope {
 public:
  ErrorScope(ValidationErrors& errors, ErrorPath prefix);

  bool add(std::string_view key, FieldError error) const;
  bool add(const ErrorPath& relative, FieldError error) const;
  bool has(std::string_view key) const;  // an error at or beneath `key`
  bool has_any() const;                  // an error at or beneath the scope itself
  ErrorScope nested(std::string_view key) const;
  const ErrorPath& prefix() const noexcept { return prefix_; }

 private:
  ValidationErrors* errors_;
  ErrorPath prefix_;
};

// --- Building errors -----------------------------------------------------------------------

// Renders `{{.key}}` placeholders from `params` the way Go's text/template prints values, then
// sentence-cases the result (capital first letter, final '.' unless it ends in . ? !).
FieldError make_error(std::string_view code, std::string_view message_template,
                      boost::json::object params = {});

// How Go's "%v" prints a JSON value: 5, 2.5, 1e+06, true, [a b], <nil>.
std::string go_format(const boost::json::value& value);
// How Go's "%v" prints a float64: the shortest round-trip digits, in exponent form when the
// decimal exponent is < -4 or >= 6 (1e+06, 1.5e-05), plain otherwise (123456, 0.001).
std::string go_format_float(double value);

// A JSON number for params: an integer when `value` is integral and exactly representable.
boost::json::value json_number(double value);

// The errors of ozzo-validation's built-in rules, which PocketBase surfaces unchanged.
FieldError error_required();          // validation_required: Cannot be blank.
FieldError error_empty();             // validation_empty: Must be blank.
FieldError error_nil();               // validation_nil: Must be blank.
FieldError error_nil_or_not_empty();  // validation_nil_or_not_empty_required
FieldError error_match();             // validation_match_invalid
FieldError error_in();                // validation_in_invalid
FieldError error_not_in();            // validation_not_in_invalid
FieldError error_values_mismatch();   // validation_values_mismatch: Values don't match.
FieldError error_unsupported_type();  // validation_unsupported_value_type
FieldError error_min_threshold(boost::json::value threshold);  // must be no less than X
FieldError error_max_threshold(boost::json::value threshold);  // must be no greater than X
// ozzo Length(min, max): picks too_long / too_short / invalid / out_of_range like ozzo does.
FieldError error_length(std::int64_t min, std::int64_t max);

// ozzo's Length rule: empty values pass; `length` is whatever unit the caller counts.
bool length_out_of_range(std::size_t length, std::int64_t min, std::int64_t max);

// Number of Unicode code points in UTF-8 text (invalid bytes count one each), as Go counts runes.
std::size_t rune_count(std::string_view text) noexcept;

}  // namespace basalt::schema
