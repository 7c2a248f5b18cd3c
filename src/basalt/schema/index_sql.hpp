// IndexDefinition: one `indexes` entry of a collection (docs/storage.md, "Defining collections"),
// parsed and rebuilt.
//
// Accepted grammar (keywords case-insensitive, identifiers bare or quoted with `x`, "x", [x]
// or 'x'):
//
//   CREATE [UNIQUE] INDEX [IF NOT EXISTS] [schema.]name ON table
//       ( column [COLLATE collation] [ASC|DESC] , ... ) [WHERE expression] [;]
//
// where a column is an identifier or an expression such as lower(email). The parser is strict
// where PocketBase's regular expression is loose, because the lead executes what build()
// returns: it rejects comments, a ';' anywhere but at the very end, unbalanced parentheses or
// quotes, and anything after the column list other than WHERE.
//
// build() produces PocketBase's canonical text (tools/dbutils/index.go), with backticks inside
// names doubled (PocketBase does not), e.g.
//   CREATE UNIQUE INDEX `idx_email_x` ON `users` (`email`) WHERE `email` != ''
//   CREATE INDEX `idx_ab` ON `t` (
//     `a`,
//     `b` DESC
//   )
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::schema {

struct IndexColumn {
  // Identifier (unquoted) or expression (as written). A quoted identifier that would pass for
  // an expression (a space or '(' inside) keeps its quotes, so build() never unquotes it.
  std::string name;
  std::string collate;  // "" or the collation name, e.g. NOCASE
  std::string sort;     // "", "ASC" or "DESC"

  // An expression rather than a plain column name (it holds '(' or a space).
  bool is_expression() const noexcept;
  friend bool operator==(const IndexColumn&, const IndexColumn&) = default;
};

struct IndexDefinition {
  bool unique = false;
  bool if_not_exists = false;
  std::string schema_name;
  std::string index_name;
  std::string table_name;
  std::vector<IndexColumn> columns;
  std::string where;  // "" or the partial-index condition, as written

  // Parses `sql`; nullopt with `*error` set (when given) if it is not a single index statement.
  static std::optional<IndexDefinition> parse(std::string_view sql, std::string* error = nullptr);

  // Has a name, a table and at least one column.
  bool valid() const noexcept;
  // PocketBase's canonical statement; "" when !valid().
  std::string build() const;

  friend bool operator==(const IndexDefinition&, const IndexDefinition&) = default;
};

// `fragment` (an index column expression or WHERE clause) with every quoted identifier
// (`x`, [x], "x") written in double quotes, inner double quotes doubled, and everything else as
// it was: the standard spelling PostgreSQL reads. nullopt (with `*error`) when it does not scan.
//
// SQLite matches identifiers ignoring ASCII case, quoted or not; PostgreSQL folds a bare word
// to lower case and matches a quoted one exactly. So an identifier (quoted, or a bare word not
// followed by `(`, which would make it a function) that equals one of `columns` ignoring case
// is written as that column's exact name in double quotes: `collectionRef = 'x'` becomes
// `"collectionRef" = 'x'`. Other bare words (keywords, functions) stay as written. A name in
// double quotes that is none of `columns` is a string literal, as SQLite reads it (`!= ""`).
std::optional<std::string> double_quote_identifiers(std::string_view fragment,
                                                    std::string* error = nullptr,
                                                    std::span<const std::string> columns = {});

// The first UNIQUE index of `indexes` over exactly one column named `column`
// (case-insensitive); a WHERE clause does not matter. Unparsable entries are skipped.
std::optional<IndexDefinition> find_single_column_unique_index(std::span<const std::string> indexes,
                                                               std::string_view column);

}  // namespace basalt::schema
