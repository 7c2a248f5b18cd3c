// A JSON writer that produces the bytes Go's encoding/json produces, for golden-exact output:
//   - floats in Go's form: -1.5, 100, 1e+21, 1e-7 (boost::json would write -1.5E0);
//   - '<', '>', '&', U+2028 and U+2029 escaped as \u003c, \u003e, \u0026, \u2028, \u2029;
//   - object members in their stored order; NaN and infinities written as null.
// (It belongs with the JSON helpers of core once records need it too.)
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <string_view>

namespace basalt::schema {

std::string serialize_go_json(const boost::json::value& value);

// The same bytes appended to `out`, for writers that stream a document into one buffer.
void append_go_json(std::string& out, const boost::json::value& value);
// `text` as a JSON string literal (quotes included), escaped as Go escapes it.
void append_go_json_string(std::string& out, std::string_view text);

}  // namespace basalt::schema
