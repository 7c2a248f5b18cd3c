#include "basalt/schema/view_query.hpp"

#include <cctype>
#include <vector>

#include "basalt/schema/sql_tokens.hpp"

namespace basalt::schema {
namespace {

using detail::SqlToken;

// Skips a balanced parenthesised group starting at tokens[i] == '('; returns the index after
// it, or npos when it does not close.
std::size_t skip_group(const std::vector<SqlToken>& tokens, std::size_t i) {
  int depth = 0;
  for (; i < tokens.size(); ++i) {
    if (tokens[i].is_punct('(')) ++depth;
    if (tokens[i].is_punct(')') && --depth == 0) return i + 1;
  }
  return std::string::npos;
}

// Walks "WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (...) [, ...]" and returns the
// index of the statement that follows, or npos when the CTE list is malformed.
std::size_t skip_ctes(const std::vector<SqlToken>& tokens, std::size_t i) {
  if (i < tokens.size() && tokens[i].is_keyword("RECURSIVE")) ++i;
  while (true) {
    if (i >= tokens.size() || !tokens[i].is_identifier()) return std::string::npos;
    ++i;
    if (i < tokens.size() && tokens[i].is_punct('(')) i = skip_group(tokens, i);
    if (i >= tokens.size() || !tokens[i].is_keyword("AS")) return std::string::npos;
    ++i;
    if (i < tokens.size() && tokens[i].is_keyword("NOT")) ++i;
    if (i < tokens.size() && tokens[i].is_keyword("MATERIALIZED")) ++i;
    if (i >= tokens.size() || !tokens[i].is_punct('(')) return std::string::npos;
    i = skip_group(tokens, i);
    if (i >= tokens.size()) return std::string::npos;
    if (!tokens[i].is_punct(',')) return i;
    ++i;
  }
}

}  // namespace

std::optional<std::string> check_view_query_shape(std::string_view query) {
  std::string error;
  auto tokens_or = detail::tokenize_sql(query, true, &error);
  if (!tokens_or) return error;
  std::vector<SqlToken>& tokens = *tokens_or;
  while (!tokens.empty() && tokens.back().is_punct(';')) tokens.pop_back();
  if (tokens.empty()) return std::string("empty query");
  for (const auto& token : tokens) {
    if (token.is_punct(';')) return std::string("multiple statements are not supported");
  }
  std::size_t statement = 0;
  if (tokens[0].is_keyword("WITH")) statement = skip_ctes(tokens, 1);
  if (statement >= tokens.size() || !tokens[statement].is_keyword("SELECT")) {
    return std::string("the query must be a single SELECT statement");
  }
  return std::nullopt;
}

std::string normalize_view_query(std::string_view query) {
  auto is_trim = [](char c) { return std::isspace(static_cast<unsigned char>(c)) || c == ';'; };
  while (!query.empty() && is_trim(query.front())) query.remove_prefix(1);
  while (!query.empty() && is_trim(query.back())) query.remove_suffix(1);
  return std::string(query);
}

}  // namespace basalt::schema
