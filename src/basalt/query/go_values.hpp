// Go value conversions that decide what PocketBase binds for a request value (docs/filters.md),
// done the way Go and the spf13/cast package do them, so that a filter matches the same rows here.
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::query {

// strconv.FormatFloat(v, 'f', -1, 64): the shortest digits that round-trip, never an exponent
// ("5", "1.5", "1000000000000000000000", "0.0000001"); "NaN", "+Inf", "-Inf".
std::string go_format_float(double value);

// strconv.ParseFloat(text, 64) for decimal input: optional sign, digits with an optional
// fraction and exponent, or inf/infinity/nan in any case. nullopt for anything else and for
// out-of-range values. (Go also takes hexadecimal floats and '_' separators after a base
// prefix; no client sends those for a number field, and they stay text here.)
std::optional<double> go_parse_float(std::string_view text);

// cast.ToString(v) for a decoded JSON value: strings as is, numbers as go_format_float, booleans
// "true"/"false", null and arrays/objects "" (cast fails on those and yields "").
std::string go_to_string(const boost::json::value& value);

// encoding/json Marshal of a decoded JSON value: object keys sorted (Go maps), HTML characters
// escaped, floats in Go's form.
std::string go_marshal(const boost::json::value& value);

// reflect-based toSlice of record_field_resolver_runner.go: null -> [], an array -> its items,
// anything else -> [value].
boost::json::array go_to_slice(const boost::json::value& value);

// list.ToUniqueStringSlice: the non-empty, unique strings of a string or array value (a string
// holding '[' is read as a JSON array of strings when it is one).
std::vector<std::string> go_unique_strings(const boost::json::value& value);

}  // namespace basalt::query
