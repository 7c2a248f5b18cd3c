// Schema: the type system a document is validated against (docs/graphql.md, "Schema model").
// The schema generator fills one from the collections; tests build one by hand.
//
// Building: add types and directives, set the root types, then finish(), which resolves every
// type reference, computes the possible types of interfaces and unions and checks the schema's
// consistency (std::invalid_argument naming the problem). A new Schema already holds the
// built-in scalars (Int, Float, String, Boolean, ID), the directives @skip and @include, and the
// introspection types (__Schema, __Type, …) that `__schema` and `__type` return.
//
// Thread safety: immutable after finish(); then any number of threads may read it.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/graphql/ast.hpp"

namespace basalt::graphql {

struct TypeDef;

enum class TypeKind : std::uint8_t { kScalar, kObject, kInterface, kUnion, kEnum, kInputObject };

// A type reference as the schema writes it: a named type inside list and non-null wrappers.
// `wrappers` lists them from the outside in, 'N' for non-null and 'L' for list, so
// `[String!]!` is {"NLN", "String"}.
struct TypeRef {
  std::string wrappers;
  std::string name;
  const TypeDef* named = nullptr;  // set by Schema::finish()

  // Reads `[String!]!` notation; std::invalid_argument when it is not a type reference.
  static TypeRef parse(std::string_view text);
  std::string to_string() const;
};

// A non-owning view of a type reference, cheap to unwrap while validating.
struct TypeView {
  std::string_view wrappers;
  const TypeDef* named = nullptr;

  bool non_null() const noexcept { return !wrappers.empty() && wrappers.front() == 'N'; }
  bool list() const noexcept { return !wrappers.empty() && wrappers.front() == 'L'; }
  TypeView inner() const noexcept { return {wrappers.substr(1), named}; }
  TypeView nullable() const noexcept { return non_null() ? inner() : *this; }
  std::string to_string() const;
  friend bool operator==(const TypeView& a, const TypeView& b) noexcept {
    return a.wrappers == b.wrappers && a.named == b.named;
  }
};

inline TypeView view(const TypeRef& ref) noexcept {
  return {ref.wrappers, ref.named};
}

// An argument or an input object field.
struct InputValueDef {
  std::string name;
  TypeRef type;
  // The default value as JSON text (an input value, already coerced); none when absent.
  std::optional<std::string> default_json;
};

struct FieldDef {
  std::string name;
  TypeRef type;
  std::vector<InputValueDef> arguments;

  const InputValueDef* find_argument(std::string_view name) const noexcept;
};

struct TypeDef {
  std::string name;
  TypeKind kind = TypeKind::kScalar;
  std::vector<FieldDef> fields;             // object, interface
  std::vector<std::string> interfaces;      // object, interface: those it implements
  std::vector<std::string> members;         // union: its object types
  std::vector<std::string> enum_values;     // enum
  std::vector<InputValueDef> input_fields;  // input object

  // Filled by Schema::finish(): for an interface or union, the object types it may be; for an
  // object, itself.
  std::vector<const TypeDef*> possible_types;
  // Filled by Schema::finish(): `fields` by name.
  std::unordered_map<std::string_view, const FieldDef*> field_index;

  const FieldDef* find_field(std::string_view name) const noexcept;
  const InputValueDef* find_input_field(std::string_view name) const noexcept;
  bool has_enum_value(std::string_view name) const noexcept;
  bool is_leaf() const noexcept { return kind == TypeKind::kScalar || kind == TypeKind::kEnum; }
  bool is_composite() const noexcept {
    return kind == TypeKind::kObject || kind == TypeKind::kInterface || kind == TypeKind::kUnion;
  }
  bool is_input() const noexcept {
    return kind == TypeKind::kScalar || kind == TypeKind::kEnum || kind == TypeKind::kInputObject;
  }
  bool is_abstract() const noexcept {
    return kind == TypeKind::kInterface || kind == TypeKind::kUnion;
  }
  bool is_possible(const TypeDef* object) const noexcept;
};

// Where a directive may appear in an executable document.
enum class DirectiveLocation : std::uint8_t {
  kQuery,
  kMutation,
  kSubscription,
  kField,
  kFragmentDefinition,
  kFragmentSpread,
  kInlineFragment,
  kVariableDefinition,
};

std::string_view directive_location_name(DirectiveLocation location) noexcept;

struct DirectiveDef {
  std::string name;
  std::vector<DirectiveLocation> locations;
  std::vector<InputValueDef> arguments;
  bool repeatable = false;

  const InputValueDef* find_argument(std::string_view name) const noexcept;
  bool allowed_at(DirectiveLocation location) const noexcept;
};

class Schema {
 public:
  Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  // Adds a type; std::invalid_argument when the name is taken. The reference stays valid.
  TypeDef& add_type(TypeDef type);
  DirectiveDef& add_directive(DirectiveDef directive);
  void set_root(OperationType operation, std::string type_name);

  // Resolves and checks everything (see the file comment); call once, after the last add.
  void finish();

  const TypeDef* find_type(std::string_view name) const noexcept;
  const DirectiveDef* find_directive(std::string_view name) const noexcept;
  // The root type of `operation`; null when the schema has none (e.g. no mutations).
  const TypeDef* root(OperationType operation) const noexcept;
  const std::deque<TypeDef>& types() const noexcept { return types_; }
  const std::deque<DirectiveDef>& directives() const noexcept { return directives_; }

  // The meta-fields every composite type has (__typename) and the query root has (__schema,
  // __type); null for any other name or parent.
  const FieldDef* meta_field(const TypeDef& parent, std::string_view name) const noexcept;

 private:
  void add_builtins();
  void resolve(TypeRef& ref, std::string_view owner);

  std::deque<TypeDef> types_;  // a deque: references handed out stay valid
  std::deque<DirectiveDef> directives_;
  std::unordered_map<std::string_view, TypeDef*> type_index_;
  std::unordered_map<std::string_view, DirectiveDef*> directive_index_;
  std::string root_names_[3];
  const TypeDef* roots_[3] = {nullptr, nullptr, nullptr};
  FieldDef typename_field_;
  FieldDef schema_field_;
  FieldDef type_field_;
  bool finished_ = false;
  bool adding_builtins_ = false;
};

}  // namespace basalt::graphql
