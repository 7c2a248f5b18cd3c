// Lenient conversions of submitted JSON values, with the semantics PocketBase applies when a
// body value is assigned to a field (Go's spf13/cast and tools/list helpers). They never fail:
// a value that cannot be converted becomes the zero value, exactly as in PocketBase, and the
// field's validation then judges the result.
#pragma once

#include <boost/json/value.hpp>
#include <limits>
#include <string>
#include <vector>

namespace basalt::schema {

// string -> itself; number -> shortest decimal ("12.5", "100", never an exponent);
// bool -> "true"/"false"; null, array, object -> "".
std::string to_text(const boost::json::value& value);

// number -> itself; string -> parsed as a float ("" or garbage -> 0, "inf"/"nan" allowed);
// bool -> 1/0; anything else -> 0.
double to_number(const boost::json::value& value);

// bool -> itself; number -> != 0; string -> Go's ParseBool ("1", "t", "true", "TRUE", ...),
// anything else -> false.
bool to_boolean(const boost::json::value& value);

// A de-duplicated list of non-empty strings, order kept:
// null -> []; "" -> []; a string holding '[' that parses as a JSON array of strings -> its items;
// any other string -> [string]; array -> each item through to_text (non-strings as Go prints
// them); numbers, bools, objects -> [].
// At most `limit` items: the scan stops there, so that a huge list costs no more than a field
// can hold (callers pass maxSelect + 1, enough to tell "too many").
std::vector<std::string> to_unique_strings(
    const boost::json::value& value, std::size_t limit = std::numeric_limits<std::size_t>::max());

// `list` as a JSON array of strings.
boost::json::value strings_to_json(const std::vector<std::string>& list);

}  // namespace basalt::schema
