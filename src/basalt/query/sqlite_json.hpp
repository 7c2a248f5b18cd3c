// SqliteJson: JSON text read the way SQLite 3.40's JSON1 reads it (json.c), for the Evaluator:
// the same documents are valid (json_valid), and json_extract / json_each / json_array_length
// return the same SQL values.
//
//   - Validity: RFC 8259 with SQLite's details: blanks are space, tab, LF and CR; no control
//     characters inside strings; numbers without leading zeros, '.' or 'e' need digits on both
//     sides; nesting at most 2000 deep; only blanks after the value. Text stops at a NUL byte.
//   - Values: a string is its unescaped text (\uXXXX decoded, surrogate pairs joined, \u0000
//     ends the string); an integer literal is INTEGER when it fits int64, else REAL; any
//     literal with '.' or 'e' is REAL; true/false are 1/0; null is NULL; an array or object is
//     its minified text with every token kept as written (number spelling, string escapes).
//   - Paths are JsonPathStep lists: a key matches the first member whose raw key text equals
//     it; an index counts array items; a step that does not fit gives NULL.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/value.hpp"
#include "basalt/query/sql_node.hpp"

namespace basalt::query {

class SqliteJson {
 public:
  // nullopt when SQLite's json_valid() would return 0.
  static std::optional<SqliteJson> parse(std::string_view text);

  bool is_array() const noexcept;
  // json_extract(doc, path): the value at `path` (an empty path is the whole document); NULL
  // when it is missing.
  db::Value extract(std::span<const JsonPathStep> path) const;
  // The `value` column of json_each(doc): the items of an array, the member values of an
  // object, or the document itself for a scalar.
  std::vector<db::Value> each() const;
  // json_array_length(doc): items of an array, 0 for anything else.
  std::int64_t array_length() const;

 private:
  enum class Type : std::uint8_t { kNull, kTrue, kFalse, kInt, kReal, kString, kArray, kObject };
  struct Node {
    Type type;
    bool escaped = false;      // kString holds a backslash
    std::uint32_t size = 1;    // nodes in this subtree, itself included
    std::uint32_t offset = 0;  // the token in text_ (strings with their quotes);
    std::uint32_t length = 0;  // empty for containers
  };

  std::string_view raw(const Node& node) const noexcept {
    return std::string_view(text_).substr(node.offset, node.length);
  }

  explicit SqliteJson(std::string text) : text_(std::move(text)) {}
  bool parse_value(std::size_t& i, int depth);
  db::Value value_of(std::size_t node) const;
  void render(std::size_t node, std::string& out) const;
  std::optional<std::size_t> child(std::size_t node, const JsonPathStep& step) const;

  std::string text_;
  std::vector<Node> nodes_;
};

}  // namespace basalt::query
