// The AST of an executable GraphQL document (October 2021 specification, section 2).
//
// Invariants:
//   1. Every node, span and string lives in the Document's arena or is a view of its source
//      text; nothing is freed one by one. Nodes are trivially destructible.
//   2. Names are views of the source; string values are decoded (escapes, block-string
//      indentation) into the arena. `offset` is the byte offset of the node's first token.
//   3. Spans are never null when non-empty; an absent part is an empty span or an empty view.
//   4. A document that parsed obeys the grammar: selection sets are non-empty, variables appear
//      only where the grammar allows them (not in default values or const directives).
//
// Thread safety: a Document is immutable once parsed and may be read by any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "basalt/query/arena.hpp"

namespace basalt::graphql {

struct ObjectField;

struct Value {
  enum class Kind : std::uint8_t {
    kVariable,
    kInt,
    kFloat,
    kString,
    kBoolean,
    kNull,
    kEnum,
    kList,
    kObject
  };
  Kind kind = Kind::kNull;
  bool boolean = false;  // kBoolean
  bool block = false;    // kString written as a block string
  std::uint32_t offset = 0;
  // kVariable: the name without `$`; kInt/kFloat: the literal's text; kString: the decoded
  // value; kEnum: the name.
  std::string_view text;
  std::span<const Value> items;         // kList
  std::span<const ObjectField> fields;  // kObject, in document order
};

struct ObjectField {
  std::string_view name;
  std::uint32_t offset = 0;
  Value value;
};

struct Argument {
  std::string_view name;
  std::uint32_t offset = 0;
  Value value;
};

struct Directive {
  std::string_view name;
  std::uint32_t offset = 0;  // of the `@`
  std::span<const Argument> arguments;
};

// A type reference: `Name`, `[Type]` or `Type!`.
struct TypeNode {
  enum class Kind : std::uint8_t { kNamed, kList, kNonNull };
  Kind kind = Kind::kNamed;
  std::uint32_t offset = 0;
  std::string_view name;              // kNamed
  const TypeNode* of_type = nullptr;  // kList, kNonNull
};

struct Selection {
  enum class Kind : std::uint8_t { kField, kFragmentSpread, kInlineFragment };
  Kind kind = Kind::kField;
  std::uint32_t offset = 0;
  std::string_view alias;  // kField; empty when there is none
  // kField: the field's name; kFragmentSpread: the fragment's name; kInlineFragment: the type
  // condition, empty when there is none.
  std::string_view name;
  std::span<const Argument> arguments;  // kField
  std::span<const Directive> directives;
  std::span<const Selection> selections;  // kField (may be empty), kInlineFragment

  std::string_view response_name() const noexcept { return alias.empty() ? name : alias; }
};

struct VariableDefinition {
  std::string_view name;  // without `$`
  std::uint32_t offset = 0;
  const TypeNode* type = nullptr;
  const Value* default_value = nullptr;  // null when there is none
  std::span<const Directive> directives;
};

enum class OperationType : std::uint8_t { kQuery, kMutation, kSubscription };

std::string_view operation_type_name(OperationType type) noexcept;

struct OperationDefinition {
  OperationType type = OperationType::kQuery;
  std::uint32_t offset = 0;
  std::string_view name;  // empty for an anonymous operation
  std::span<const VariableDefinition> variables;
  std::span<const Directive> directives;
  std::span<const Selection> selections;
};

struct FragmentDefinition {
  std::string_view name;
  std::uint32_t offset = 0;
  std::string_view type_condition;
  std::uint32_t type_condition_offset = 0;
  std::span<const Directive> directives;
  std::span<const Selection> selections;
};

// One parsed document: its definitions in document order, the arena holding them and the
// source text they view (the caller keeps the source alive as long as the Document).
struct Document {
  std::string_view source;
  std::span<const OperationDefinition> operations;
  std::span<const FragmentDefinition> fragments;
  query::Arena arena;
};

}  // namespace basalt::graphql
