// The filter language's syntax tree (docs/filters.md): what parse_filter() returns, and what the
// resolver, the SQL compiler and the in-memory evaluator walk.
//
//   Expr    := Logical{and|or, children} | Comparison{left, operator, right}
//   Operand := Identifier | Text | Number | Null | Bool | Macro | FunctionCall
//
// Invariants of every Ast that parse_filter() returns:
//   1. Precedence is SQL's: `&&` binds tighter than `||`. PocketBase keeps a flat list of
//      (join, comparison) pairs and renders it as `a AND b OR c`, so SQL's precedence decides
//      there too; making it explicit here lets an evaluator agree with the generated SQL.
//   2. Parentheses are not nodes. A chain of one operator is one Logical node with >= 2
//      children; a parenthesised chain stays a child of its own, so `a && b && c` is
//      (and a b c) while `(a && b) && c` is (and (and a b) c). `(a)` is just a.
//   3. Depth: the Expr tree is at most 2 * ParseLimits::max_depth + 2 levels deep and function
//      calls nest at most kMaxFunctionDepth levels, so walkers may recurse.
//   4. Shapes are checked, meanings are not: identifier paths have no empty segment, a
//      modifier is a known one on the last segment, `@request.*`/`@collection.*` have the
//      parts docs/filters.md requires, and calls match their function's signature. Whether a field
//      exists, is visible, or takes that modifier is the resolver's question.
//   5. Every node is trivially destructible and lives in the Ast's arena; every string_view
//      points into the Ast's own copy of the source or into the arena, never into the
//      caller's buffer. An Ast is move-only and immutable, so it may be cached and shared
//      read-only between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "basalt/query/arena.hpp"

namespace basalt::query {

// A byte range of the parsed text, for error messages about a node.
struct SourceRange {
  std::uint32_t offset = 0;
  std::uint32_t length = 0;

  std::uint32_t end() const noexcept { return offset + length; }
};

// ---------------------------------------------------------------------------------------------
// Operands

// A `:name` suffix on an identifier's last segment (docs/filters.md).
enum class Modifier : std::uint8_t { kNone, kEach, kIsset, kLength, kLower, kChanged };

// What an identifier's path starts from (docs/filters.md).
enum class IdentifierRoot : std::uint8_t {
  kField,           // a field of the collection being filtered: `title`, `author.name`
  kRequestContext,  // `@request.context` (empty path, no modifier)
  kRequestMethod,   // `@request.method` (empty path, no modifier)
  kRequestAuth,     // `@request.auth.<path>`
  kRequestBody,     // `@request.body.<path>`
  kRequestQuery,    // `@request.query.<path>`
  kRequestHeaders,  // `@request.headers.<path>`
  kCollection,      // `@collection.<collection>[:<alias>].<path>`
};

// A field reference such as `author.name:lower`, `@request.auth.id`, `tags:each` or
// `@collection.users:u.email`. `path` holds the segments after the root, without the
// modifier: {"author", "name"}, {"id"}, {"tags"}, {"email"}. It is non-empty except for
// kRequestContext and kRequestMethod.
struct Identifier {
  IdentifierRoot root = IdentifierRoot::kField;
  Modifier modifier = Modifier::kNone;
  std::uint32_t path_size = 0;
  const std::string_view* path_data = nullptr;
  std::string_view collection;  // kCollection: the collection's name or id
  std::string_view alias;       // kCollection: the alias after `:`, empty when none

  std::span<const std::string_view> path() const noexcept { return {path_data, path_size}; }
};

// A quoted text literal, quotes removed and `\<quote>` unescaped.
struct Text {
  std::string_view value;
};

// A number literal (docs/filters.md: integer or decimal, optional leading `-`, no exponent). The
// source spelling is the operand's range.
struct Number {
  double value = 0;
};

// `null` in any letter case. PocketBase resolves a field of that name first; it forbids the
// lowercase names for fields, so only a field spelled e.g. `NULL` could shadow this.
struct Null {};

// `true` / `false` in any letter case (the same shadowing note as Null applies).
struct Bool {
  bool value = false;
};

// Date and time macros (docs/filters.md), resolved when the expression is evaluated, in UTC.
enum class Macro : std::uint8_t {
  kNow,
  kYesterday,
  kTomorrow,
  kTodayStart,
  kTodayEnd,
  kMonthStart,
  kMonthEnd,
  kYearStart,
  kYearEnd,
  kSecond,
  kMinute,
  kHour,
  kDay,
  kMonth,
  kWeekday,  // 0 = Sunday
  kYear,
};

// The functions of docs/filters.md (token_functions.go); their signatures are in functions.hpp.
enum class Function : std::uint8_t { kGeoDistance, kStrftime };

struct Operand;

// `name(arg, ...)`. Arguments are operands; their kinds are checked against the signature.
struct FunctionCall {
  Function function = Function::kGeoDistance;
  std::uint32_t arg_count = 0;
  const Operand* arg_data = nullptr;

  std::span<const Operand> args() const noexcept;
};

struct Operand {
  using Value = std::variant<Identifier, Text, Number, Null, Bool, Macro, FunctionCall>;

  SourceRange range;
  Value value;
};

inline std::span<const Operand> FunctionCall::args() const noexcept {
  return {arg_data, arg_count};
}

// ---------------------------------------------------------------------------------------------
// Expressions

// The comparison operators of docs/filters.md. The `kAny*` forms are the `?`-prefixed "at least one
// value" variants; the plain forms require every value of a multi-valued operand to match.
enum class Operator : std::uint8_t {
  kEq,          // =
  kNeq,         // !=
  kGt,          // >
  kGte,         // >=
  kLt,          // <
  kLte,         // <=
  kLike,        // ~
  kNotLike,     // !~
  kAnyEq,       // ?=
  kAnyNeq,      // ?!=
  kAnyGt,       // ?>
  kAnyGte,      // ?>=
  kAnyLt,       // ?<
  kAnyLte,      // ?<=
  kAnyLike,     // ?~
  kAnyNotLike,  // ?!~
};

constexpr bool is_any(Operator op) noexcept {
  return op >= Operator::kAnyEq;
}

// The plain form of an operator: kAnyLike -> kLike; plain operators map to themselves.
constexpr Operator without_any(Operator op) noexcept {
  return is_any(op) ? static_cast<Operator>(static_cast<std::uint8_t>(op) -
                                            static_cast<std::uint8_t>(Operator::kAnyEq))
                    : op;
}

enum class LogicalOp : std::uint8_t { kAnd, kOr };

struct Comparison {
  Operand left;
  Operator op = Operator::kEq;
  Operand right;
};

struct Expr;

struct Logical {
  LogicalOp op = LogicalOp::kAnd;
  std::uint32_t child_count = 0;  // >= 2
  const Expr* child_data = nullptr;

  std::span<const Expr> children() const noexcept;
};

struct Expr {
  using Node = std::variant<Comparison, Logical>;

  SourceRange range;
  Node node;
};

inline std::span<const Expr> Logical::children() const noexcept {
  return {child_data, child_count};
}

static_assert(std::is_trivially_destructible_v<Expr> && std::is_trivially_copyable_v<Expr>);
static_assert(std::is_trivially_destructible_v<Operand> && std::is_trivially_copyable_v<Operand>);

// A parsed filter or rule. Move-only; see the invariants above.
class Ast {
 public:
  Ast(Arena arena, std::string_view source, const Expr* root, std::size_t leaf_count) noexcept
      : arena_(std::move(arena)), source_(source), root_(root), leaf_count_(leaf_count) {}

  Ast(Ast&&) noexcept = default;
  Ast& operator=(Ast&&) noexcept = default;
  Ast(const Ast&) = delete;
  Ast& operator=(const Ast&) = delete;

  const Expr& root() const noexcept { return *root_; }
  // The parsed text (the Ast's own copy); node ranges index into it.
  std::string_view source() const noexcept { return source_; }
  std::string_view text(SourceRange range) const noexcept {
    return source_.substr(range.offset, range.length);
  }
  // Number of Comparison nodes.
  std::size_t leaf_count() const noexcept { return leaf_count_; }

 private:
  Arena arena_;
  std::string_view source_;
  const Expr* root_;
  std::size_t leaf_count_;
};

// ---------------------------------------------------------------------------------------------
// Names (the one table of each; the parser and the printer both read them)

std::string_view to_string(Operator op) noexcept;
std::string_view to_string(LogicalOp op) noexcept;       // "and" / "or"
std::string_view to_string(Modifier modifier) noexcept;  // "" for kNone, else e.g. "each"
std::string_view to_string(Macro macro) noexcept;        // with the `@`, e.g. "@todayStart"
std::string_view to_string(Function function) noexcept;  // e.g. "geoDistance"

std::optional<Operator> find_operator(std::string_view text) noexcept;
std::optional<Modifier> find_modifier(std::string_view name) noexcept;  // name without `:`
std::optional<Macro> find_macro(std::string_view text) noexcept;        // exact, with the `@`

// Canonical forms for tests and debug logs (not meant to be parsed back):
//   Ast/Expr: S-expressions, `(and (= title "x") (or (?~ tags:each "a") (> n 1)))`
//   Operand:  identifiers rebuilt from their parts (`@collection.users:u.email`), texts in
//             double quotes with `"`, `\` and control bytes escaped, numbers in their shortest
//             round-trip form, `null`, `true`, `false`, macros by name, calls as
//             `(geoDistance a b 1 2)`.
std::string to_string(const Ast& ast);
std::string to_string(const Expr& expr);
std::string to_string(const Operand& operand);
std::string to_string(const Identifier& identifier);

}  // namespace basalt::query
