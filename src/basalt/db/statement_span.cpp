#include "basalt/db/statement_span.hpp"

#include <cctype>
#include <string>

namespace basalt::db {
namespace {

bool is_word_char(char c) noexcept {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// The next token of `sql` from `pos`: a word, or a quoted identifier without its quotes.
std::string_view next_token(std::string_view sql, std::size_t& pos) noexcept {
  while (pos < sql.size()) {
    const char c = sql[pos];
    if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == '(' || c == ',') {
      ++pos;
    } else if (c == '-' && pos + 1 < sql.size() && sql[pos + 1] == '-') {
      const std::size_t end = sql.find('\n', pos);
      pos = end == std::string_view::npos ? sql.size() : end + 1;
    } else {
      break;
    }
  }
  if (pos >= sql.size()) return {};
  const char open = sql[pos];
  if (open == '"' || open == '`' || open == '[') {
    const char close = open == '[' ? ']' : open;
    const std::size_t end = sql.find(close, pos + 1);
    if (end == std::string_view::npos) {
      pos = sql.size();
      return {};
    }
    std::string_view token = sql.substr(pos + 1, end - pos - 1);
    pos = end + 1;
    return token;
  }
  const std::size_t start = pos;
  while (pos < sql.size() && is_word_char(sql[pos])) ++pos;
  if (pos == start) ++pos;  // punctuation: skip one character
  return sql.substr(start, pos - start);
}

bool same_word(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// Tokens scanned for the table before giving up: long statements are not walked whole.
constexpr int kMaxTokens = 64;

}  // namespace

StatementSummary summarize_statement(std::string_view sql) noexcept {
  StatementSummary out;
  std::size_t pos = 0;
  out.operation = next_token(sql, pos);
  std::string_view marker;
  if (same_word(out.operation, "SELECT") || same_word(out.operation, "DELETE")) {
    marker = "FROM";
  } else if (same_word(out.operation, "INSERT") || same_word(out.operation, "REPLACE")) {
    marker = "INTO";
  } else if (same_word(out.operation, "UPDATE")) {
    out.table = next_token(sql, pos);
    if (same_word(out.table, "OR")) {  // UPDATE OR REPLACE t
      next_token(sql, pos);
      out.table = next_token(sql, pos);
    }
    return out;
  } else {
    return out;
  }
  for (int i = 0; i < kMaxTokens; ++i) {
    std::string_view token = next_token(sql, pos);
    if (token.empty()) break;
    if (same_word(token, marker)) {
      std::string_view table = next_token(sql, pos);
      // FROM (SELECT … FROM t): the table is the subquery's.
      if (same_word(table, "SELECT") || same_word(table, "WITH")) continue;
      if (!table.empty() && (is_word_char(table.front()) || table.size() > 1)) out.table = table;
      break;
    }
  }
  return out;
}

void start_statement_span(core::SpanScope& span, std::string_view sql, std::string_view system,
                          std::string_view connection_kind) noexcept {
  if (!core::current_span().sampled()) return;
  const StatementSummary summary = summarize_statement(sql);
  try {
    std::string operation(summary.operation.substr(0, 32));
    for (char& c : operation) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    const std::string_view table = summary.table.substr(0, 128);
    std::string name = operation;
    if (!table.empty()) {
      name += ' ';
      name += table;
    }
    if (!span.start(name, core::SpanKind::kClient)) return;
    span.set("db.system.name", system);
    span.set("db.operation.name", operation);
    if (!table.empty()) span.set("db.collection.name", table);
    span.set("basalt.db.connection", connection_kind);
  } catch (...) {
  }
}

}  // namespace basalt::db
