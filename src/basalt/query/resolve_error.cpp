#include "basalt/query/resolve_error.hpp"

#include <utility>

namespace basalt::query {

std::string_view to_string(ResolveErrorCode code) noexcept {
  switch (code) {
    case ResolveErrorCode::kUnknownField:
      return "unknown_field";
    case ResolveErrorCode::kHiddenField:
      return "hidden_field";
    case ResolveErrorCode::kInvalidModifier:
      return "invalid_modifier";
    case ResolveErrorCode::kNotARelation:
      return "not_a_relation";
    case ResolveErrorCode::kTooManyRelations:
      return "too_many_relations";
    case ResolveErrorCode::kUnknownCollection:
      return "unknown_collection";
    case ResolveErrorCode::kInvalidBackRelation:
      return "invalid_back_relation";
    case ResolveErrorCode::kSuperuserOnly:
      return "superuser_only";
    case ResolveErrorCode::kLockedCollection:
      return "locked_collection";
    case ResolveErrorCode::kInvalidListRule:
      return "invalid_list_rule";
    case ResolveErrorCode::kInvalidSortField:
      return "invalid_sort_field";
  }
  return "resolve_error";
}

ResolveError::ResolveError(ResolveErrorCode code, SourceRange range, std::string message)
    : code_(code),
      range_(range),
      message_(std::move(message)),
      what_(message_ + " (at position " + std::to_string(range.offset) + ")") {}

}  // namespace basalt::query
