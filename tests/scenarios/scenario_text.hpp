// Text helpers of the records scenario runner (records/README.md): variables, request targets
// and JSON paths. Pure functions; they throw std::runtime_error for malformed input.
#pragma once

#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>

namespace basalt::scenarios {

using Variables = std::map<std::string, std::string, std::less<>>;

// Strips spaces, tabs and a trailing '\r' from both ends.
std::string_view trim(std::string_view text);

// Splits off the first space-separated word: returns it and leaves the trimmed rest in `text`.
std::string_view next_word(std::string_view& text);

// Replaces every `$name` ([A-Za-z0-9_]+ after the '$') by its value; an unknown name throws.
std::string substitute(std::string_view text, const Variables& variables);

// `/path?name=value&name=value` with the names and values percent-encoded (the path is kept).
// Only a lone '&' separates parameters, so a filter's `&&` stays inside its value.
std::string encode_target(std::string_view target);

// The value at a dotted path ("items.0.title"; a leading "json" / "json." is the whole body);
// null when some step does not exist.
const boost::json::value* find_path(const boost::json::value& root, std::string_view path);

}  // namespace basalt::scenarios
