#include "basalt/query/parse_error.hpp"

#include <utility>

namespace basalt::query {

std::string_view to_string(ParseErrorCode code) noexcept {
  switch (code) {
    case ParseErrorCode::kTooLong:
      return "too_long";
    case ParseErrorCode::kTooManyLeaves:
      return "too_many_leaves";
    case ParseErrorCode::kTooDeep:
      return "too_deep";
    case ParseErrorCode::kEmpty:
      return "empty";
    case ParseErrorCode::kUnexpectedCharacter:
      return "unexpected_character";
    case ParseErrorCode::kUnterminatedText:
      return "unterminated_text";
    case ParseErrorCode::kInvalidText:
      return "invalid_text";
    case ParseErrorCode::kInvalidNumber:
      return "invalid_number";
    case ParseErrorCode::kInvalidComment:
      return "invalid_comment";
    case ParseErrorCode::kInvalidOperator:
      return "invalid_operator";
    case ParseErrorCode::kInvalidIdentifier:
      return "invalid_identifier";
    case ParseErrorCode::kInvalidModifier:
      return "invalid_modifier";
    case ParseErrorCode::kUnexpectedToken:
      return "unexpected_token";
    case ParseErrorCode::kUnbalancedParenthesis:
      return "unbalanced_parenthesis";
    case ParseErrorCode::kUnknownFunction:
      return "unknown_function";
    case ParseErrorCode::kFunctionArity:
      return "function_arity";
    case ParseErrorCode::kFunctionArgument:
      return "function_argument";
    case ParseErrorCode::kTooManySortFields:
      return "too_many_sort_fields";
    case ParseErrorCode::kSortFieldTooLong:
      return "sort_field_too_long";
    case ParseErrorCode::kInvalidSortField:
      return "invalid_sort_field";
  }
  return "unknown";
}

ParseError::ParseError(ParseErrorCode code, std::size_t position, std::string message)
    : code_(code), position_(position), message_(std::move(message)) {
  what_ = message_ + " (at position " + std::to_string(position_) + ")";
}

}  // namespace basalt::query
