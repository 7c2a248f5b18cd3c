// ParseError: why a filter, rule or sort expression was rejected, and where.
//
// Contract: the parsers in this module throw ParseError and nothing else for bad input (they
// may still throw std::bad_alloc). `position()` is a 0-based byte offset into the parsed text
// (the text's size for "unexpected end"); `message()` says what was found and what was
// expected, without the position; `what()` is "<message> (at position N)".
//
// The records service maps a ParseError in a client `filter`/`sort` to 400 "Something went
// wrong while processing your request." with data.filter (or data.sort) = {code, message,
// position} (docs/api.md, "Where a filter went wrong"): the message names only what the client
// itself sent, so it is safe to show.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

namespace basalt::query {

// What went wrong, for callers and tests that branch on it; the message has the details.
enum class ParseErrorCode : std::uint8_t {
  kTooLong,                // text longer than ParseLimits::max_length
  kTooManyLeaves,          // more comparisons than ParseLimits::max_leaves
  kTooDeep,                // parentheses or function calls nested too deep
  kEmpty,                  // nothing but whitespace and comments
  kUnexpectedCharacter,    // a byte no token starts with (e.g. `$`, `,` outside a call)
  kUnterminatedText,       // a quoted text without its closing quote
  kInvalidText,            // a quoted text that is not valid UTF-8
  kInvalidNumber,          // `-`, `1.`, `-.`, or a value out of the double range
  kInvalidComment,         // a single `/`
  kInvalidOperator,        // a run of operator characters that is no operator (`=!`, `&`)
  kInvalidIdentifier,      // bad shape: `a..b`, `a.`, `@`, `#x`, `@foo`, `@request.x`
  kInvalidModifier,        // unknown `:name`, two modifiers, or one before the last segment
  kUnexpectedToken,        // a valid token where the grammar wants another
  kUnbalancedParenthesis,  // `(` without `)`, or `)` without `(`
  kUnknownFunction,        // `name(` for a name that is not a known function
  kFunctionArity,          // wrong number of arguments
  kFunctionArgument,       // an argument of a kind the function does not take
  kTooManySortFields,      // more than kMaxSortFields comma-separated sort fields
  kSortFieldTooLong,       // a sort field name longer than kMaxSortFieldLength
  kInvalidSortField,       // an empty sort field, or one naming a macro
};

std::string_view to_string(ParseErrorCode code) noexcept;

class ParseError : public std::exception {
 public:
  ParseError(ParseErrorCode code, std::size_t position, std::string message);

  ParseErrorCode code() const noexcept { return code_; }
  std::size_t position() const noexcept { return position_; }
  const std::string& message() const noexcept { return message_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  ParseErrorCode code_;
  std::size_t position_;
  std::string message_;
  std::string what_;
};

}  // namespace basalt::query
