#include "basalt/schema/sql_tokens.hpp"

#include "basalt/schema/collection.hpp"

namespace basalt::schema::detail {
namespace {

bool word_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool word_char(char c) {
  return word_start(c) || (c >= '0' && c <= '9') || c == '$';
}

bool digit(char c) {
  return c >= '0' && c <= '9';
}

// The end of a quoted run starting at `pos` (on the opening quote), or npos when unterminated.
// A doubled closing quote is an escaped quote, except for [brackets].
std::size_t quoted_end(std::string_view sql, std::size_t pos) {
  char open = sql[pos];
  char close = open == '[' ? ']' : open;
  for (std::size_t i = pos + 1; i < sql.size(); ++i) {
    if (sql[i] != close) continue;
    if (open != '[' && i + 1 < sql.size() && sql[i + 1] == close) {
      ++i;
      continue;
    }
    return i + 1;
  }
  return std::string_view::npos;
}

}  // namespace

bool SqlToken::is_keyword(std::string_view keyword) const noexcept {
  return kind == SqlTokenKind::kWord && iequals(text, keyword);
}

std::optional<std::vector<SqlToken>> tokenize_sql(std::string_view sql, bool allow_comments,
                                                  std::string* error) {
  auto fail = [error](std::string message) -> std::optional<std::vector<SqlToken>> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  // SQLite stops reading SQL text at a NUL byte, so what follows one would pass validation
  // here and silently not run (or cut a statement short) there.
  if (sql.find('\0') != std::string_view::npos) return fail("NUL bytes are not allowed");
  std::vector<SqlToken> tokens;
  std::size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    if ((c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') ||
        (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*')) {
      if (!allow_comments) return fail("comments are not supported");
      std::size_t end = c == '-' ? sql.find('\n', i) : sql.find("*/", i + 2);
      if (end == std::string_view::npos) {
        if (c == '/') return fail("unterminated comment");
        break;
      }
      i = end + (c == '-' ? 1 : 2);
      continue;
    }
    std::size_t start = i;
    SqlTokenKind kind = SqlTokenKind::kPunct;
    if (c == '\'' || c == '"' || c == '`' || c == '[') {
      std::size_t end = quoted_end(sql, i);
      if (end == std::string_view::npos) return fail("unterminated quoted text");
      kind = c == '\'' ? SqlTokenKind::kString : SqlTokenKind::kQuotedIdentifier;
      i = end;
    } else if (word_start(c)) {
      while (i < sql.size() && word_char(sql[i])) ++i;
      kind = SqlTokenKind::kWord;
    } else if (digit(c) || (c == '.' && i + 1 < sql.size() && digit(sql[i + 1]))) {
      while (i < sql.size() && (word_char(sql[i]) || sql[i] == '.')) ++i;
      kind = SqlTokenKind::kNumber;
    } else {
      ++i;
    }
    tokens.push_back(SqlToken{kind, sql.substr(start, i - start), start, i});
  }
  return tokens;
}

std::string identifier_name(const SqlToken& token) {
  std::string_view text = token.text;
  if (token.kind != SqlTokenKind::kQuotedIdentifier && token.kind != SqlTokenKind::kString) {
    return std::string(text);
  }
  char close = text.front() == '[' ? ']' : text.front();
  std::string out;
  for (std::size_t i = 1; i + 1 < text.size(); ++i) {
    out += text[i];
    if (close != ']' && text[i] == close && i + 2 < text.size() && text[i + 1] == close) ++i;
  }
  return out;
}

}  // namespace basalt::schema::detail
