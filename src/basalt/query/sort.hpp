// parse_sort: a list request's `sort` parameter (docs/records.md, "Lists") to a Sort.
//
//   sort  := field { ',' field }           at most kMaxSortFields fields
//   field := blanks [ '-' | '+' ] name blanks
//   name  := '@random' | '@rowid' | IDENTIFIER   at most kMaxSortFieldLength bytes
// As in PocketBase (tools/search/sort.go, provider.go): blanks around a field are trimmed; `-`
// sorts descending and `+` or nothing ascending, one sign at most; `@random` ignores its
// direction. A name is an identifier of the shapes in identifier.hpp, modifiers and
// `@request.*` / `@collection.*` included (whether one is allowed is the caller's question).
// null/true/false are plain field names here, and a macro is an error: PocketBase hands sort
// names to the field resolver, never to the macro table.
//
// "" gives an empty Sort (PocketBase ignores an empty parameter); a blank-only or empty field
// (" ", "a,,b", "a,") is an error. Errors are ParseError (parse_error.hpp), positioned in
// `text`.
//
// Thread safety: parse_sort is reentrant; a Sort is immutable and move-only, its strings and
// fields live in its own arena (see ast.hpp invariant 5).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "basalt/query/arena.hpp"
#include "basalt/query/ast.hpp"

namespace basalt::query {

inline constexpr std::size_t kMaxSortFields = 8;         // DefaultSortExprLimit
inline constexpr std::size_t kMaxSortFieldLength = 255;  // MaxSortFieldLength, sign excluded

enum class SortDirection : std::uint8_t { kAsc, kDesc };
enum class SortKind : std::uint8_t {
  kField,   // `identifier` says which
  kRandom,  // @random: SQL RANDOM()
  kRowid,   // @rowid: the table's rowid
};

struct SortField {
  SortKind kind = SortKind::kField;
  SortDirection direction = SortDirection::kAsc;
  SourceRange range;      // the name, sign excluded
  Identifier identifier;  // kField only
};

class Sort {
 public:
  Sort() = default;
  Sort(Arena arena, std::string_view source, std::span<const SortField> fields) noexcept
      : arena_(std::move(arena)), source_(source), fields_(fields) {}

  Sort(Sort&&) noexcept = default;
  Sort& operator=(Sort&&) noexcept = default;
  Sort(const Sort&) = delete;
  Sort& operator=(const Sort&) = delete;

  std::span<const SortField> fields() const noexcept { return fields_; }
  bool empty() const noexcept { return fields_.empty(); }
  std::string_view source() const noexcept { return source_; }

 private:
  Arena arena_{256};
  std::string_view source_;
  std::span<const SortField> fields_;
};

// Throws ParseError; see above.
Sort parse_sort(std::string_view text);

// "-created +author.name:lower +@random": each field with its sign, for tests and logs.
std::string to_string(const Sort& sort);

}  // namespace basalt::query
