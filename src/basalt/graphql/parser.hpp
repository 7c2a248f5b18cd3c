// Parser: an executable document (October 2021 specification, section 2) into the AST of
// ast.hpp, within Limits (document bytes, tokens, field depth, nesting, list literal items).
//
// Recursion is bounded: the nesting of selection sets, values and types is checked before the
// parser descends (Limits::max_nesting, Limits::max_depth for fields), so the stack never grows
// with the input beyond those limits. Work is linear in the document's length.
//
// Type-system definitions and extensions (`type`, `schema`, `extend`, a description string, …)
// are not executable (section 5.1.1) and are refused with a validation-failed error naming the
// definition; nothing else is parsed after the first error.
//
// Thread safety: parse_document is a pure function of its arguments.
#pragma once

#include <optional>
#include <string_view>

#include "basalt/graphql/ast.hpp"
#include "basalt/graphql/error.hpp"
#include "basalt/graphql/limits.hpp"

namespace basalt::graphql {

// The document, or nullopt with `error` set (parse-failed, limit-exceeded, or
// validation-failed for a type-system definition). `source` must outlive the Document.
std::optional<Document> parse_document(std::string_view source, const Limits& limits, Error& error);

}  // namespace basalt::graphql
