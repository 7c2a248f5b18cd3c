// Internal to the schema module: a lexical scanner for the SQL fragments a collection carries
// (index statements, view queries). It only splits text into tokens - words, quoted
// identifiers, string literals, numbers and single punctuation characters - so that the
// callers can check statement shape without being fooled by quotes or comments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::schema::detail {

enum class SqlTokenKind { kWord, kQuotedIdentifier, kString, kNumber, kPunct };

struct SqlToken {
  SqlTokenKind kind;
  std::string_view text;  // as written, quotes included
  std::size_t begin;      // byte offsets into the scanned text
  std::size_t end;

  // A word equal to `keyword`, ignoring ASCII case.
  bool is_keyword(std::string_view keyword) const noexcept;
  bool is_punct(char c) const noexcept {
    return kind == SqlTokenKind::kPunct && text.size() == 1 && text[0] == c;
  }
  bool is_identifier() const noexcept {
    return kind == SqlTokenKind::kWord || kind == SqlTokenKind::kQuotedIdentifier;
  }
};

// Splits `sql` into tokens. Comments (-- and /* */) are skipped when `allow_comments`, an error
// otherwise. Returns nullopt with `*error` set on an unterminated quote or comment, or a NUL
// byte anywhere (SQLite would end the statement there).
std::optional<std::vector<SqlToken>> tokenize_sql(std::string_view sql, bool allow_comments,
                                                  std::string* error);

// The name an identifier token stands for: quotes removed, doubled quotes unescaped.
std::string identifier_name(const SqlToken& token);

}  // namespace basalt::schema::detail
