// ResolveError: why a parsed filter, rule or sort could not be resolved against a collection's
// schema, and where.
//
// Contract: the resolver (resolver.hpp) throws ResolveError and nothing else for input that
// parses but does not make sense for the collection (it may still throw std::bad_alloc).
// `range()` is the operand or sort field at fault, as byte offsets into the resolved text;
// `message()` says what is wrong without the position; `what()` is "<message> (at position N)".
//
// Mapping to the wire (done by the records service, docs/api.md, "Errors"):
//   - forbidden() (kSuperuserOnly): 403 with message() as is ("Only superusers can filter by
//     @request." / "... by @collection."), as PocketBase's checkForSuperuserOnlyRuleFields;
//   - everything else: 400 "Something went wrong while processing your request.", with
//     data.filter (or data.sort) = {code, message, position, length} for superusers and data {}
//     for anyone else (docs/api.md, "Where a filter went wrong"). A stored rule that fails to
//     resolve is a schema bug: the collection service validates rules with check_rule()
//     (resolver.hpp) before storing them.
#pragma once

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "basalt/query/ast.hpp"

namespace basalt::query {

enum class ResolveErrorCode : std::uint8_t {
  kUnknownField,         // no field of that name (and no back-relation either)
  kHiddenField,          // a hidden field in a non-superuser's client filter or sort
  kInvalidModifier,      // a modifier the operand does not take (`title:each`, `a:isset`)
  kNotARelation,         // a path goes on after a field that is no relation, json or geoPoint
  kTooManyRelations,     // more than kMaxRelationDepth relation hops
  kUnknownCollection,    // `@collection.x` or a relation's collection does not exist
  kInvalidBackRelation,  // `c_via_f` where f is no relation field of c pointing here
  kSuperuserOnly,        // `@request.*` / `@collection.*` in a non-superuser's filter or sort
  kLockedCollection,     // a client filter walks into a collection whose listRule is null
  kInvalidListRule,      // the listRule of a collection walked into does not resolve
  kInvalidSortField,     // a sort field that is a value (parameter, NULL), not a column
};

// "unknown_field", "hidden_field", ... (snake case, as ParseErrorCode's names).
std::string_view to_string(ResolveErrorCode code) noexcept;

class ResolveError : public std::exception {
 public:
  ResolveError(ResolveErrorCode code, SourceRange range, std::string message);

  ResolveErrorCode code() const noexcept { return code_; }
  SourceRange range() const noexcept { return range_; }
  std::size_t position() const noexcept { return range_.offset; }
  const std::string& message() const noexcept { return message_; }
  const char* what() const noexcept override { return what_.c_str(); }

  // A 403 rather than a 400 (see above).
  bool forbidden() const noexcept { return code_ == ResolveErrorCode::kSuperuserOnly; }

 private:
  ResolveErrorCode code_;
  SourceRange range_;
  std::string message_;
  std::string what_;
};

}  // namespace basalt::query
