#include "basalt/schema/index_sql.hpp"

#include <algorithm>
#include <cctype>

#include "basalt/schema/collection.hpp"
#include "basalt/schema/sql_tokens.hpp"

namespace basalt::schema {
namespace {

using detail::SqlToken;
using detail::SqlTokenKind;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// `name` as a backtick-quoted identifier, inner backticks doubled, so no name can end the
// quoting early (build() output runs as DDL).
std::string quoted(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  out += '`';
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Parses one column from tokens [first, last) of `sql`.
std::optional<IndexColumn> parse_column(std::string_view sql, const std::vector<SqlToken>& tokens,
                                        std::size_t first, std::size_t last) {
  if (first >= last) return std::nullopt;
  IndexColumn column;
  if (tokens[last - 1].is_keyword("ASC") || tokens[last - 1].is_keyword("DESC")) {
    column.sort = upper(tokens[last - 1].text);
    --last;
  }
  if (last - first >= 3 && tokens[last - 2].is_keyword("COLLATE") &&
      tokens[last - 1].kind == SqlTokenKind::kWord) {
    column.collate = std::string(tokens[last - 1].text);
    last -= 2;
  }
  if (first >= last) return std::nullopt;
  if (last - first == 1 && tokens[first].is_identifier()) {
    column.name = detail::identifier_name(tokens[first]);
    // A quoted name that would pass for an expression (is_expression) keeps its quotes, so
    // build() emits it still quoted rather than as SQL text.
    if (column.is_expression()) column.name = std::string(tokens[first].text);
  } else {
    column.name = std::string(
        trim(sql.substr(tokens[first].begin, tokens[last - 1].end - tokens[first].begin)));
  }
  // A quoted name of white space alone names nothing (and build() would drop it).
  if (trim(column.name).empty()) return std::nullopt;
  return column;
}

}  // namespace

bool IndexColumn::is_expression() const noexcept {
  return name.find('(') != std::string::npos || name.find(' ') != std::string::npos;
}

std::optional<IndexDefinition> IndexDefinition::parse(std::string_view sql, std::string* error) {
  auto fail = [error](std::string message) -> std::optional<IndexDefinition> {
    if (error) *error = std::move(message);
    return std::nullopt;
  };
  auto tokens_or = detail::tokenize_sql(sql, false, error);
  if (!tokens_or) return std::nullopt;
  std::vector<SqlToken> tokens = std::move(*tokens_or);
  if (!tokens.empty() && tokens.back().is_punct(';')) tokens.pop_back();  // one trailing ';'
  for (const auto& token : tokens) {
    if (token.is_punct(';')) return fail("multiple statements are not supported");
  }

  IndexDefinition index;
  std::size_t i = 0;
  auto keyword = [&](std::string_view word) {
    if (i < tokens.size() && tokens[i].is_keyword(word)) {
      ++i;
      return true;
    }
    return false;
  };
  auto identifier = [&](std::string& out) {
    if (i >= tokens.size() || !tokens[i].is_identifier()) return false;
    out = detail::identifier_name(tokens[i++]);
    return !out.empty();
  };

  if (!keyword("CREATE")) return fail("expected CREATE");
  index.unique = keyword("UNIQUE");
  if (!keyword("INDEX")) return fail("expected INDEX");
  if (keyword("IF")) {
    if (!keyword("NOT") || !keyword("EXISTS")) return fail("expected IF NOT EXISTS");
    index.if_not_exists = true;
  }
  if (!identifier(index.index_name)) return fail("missing index name");
  if (i < tokens.size() && tokens[i].is_punct('.')) {
    ++i;
    index.schema_name = std::move(index.index_name);
    if (!identifier(index.index_name)) return fail("missing index name");
  }
  if (!keyword("ON")) return fail("expected ON");
  if (!identifier(index.table_name)) return fail("missing table name");
  if (i >= tokens.size() || !tokens[i].is_punct('(')) return fail("expected (");
  ++i;

  // Columns up to the matching ')', split at top-level commas.
  int depth = 0;
  std::size_t column_start = i;
  bool closed = false;
  for (; i < tokens.size(); ++i) {
    if (tokens[i].is_punct('(')) {
      ++depth;
    } else if (tokens[i].is_punct(')')) {
      if (depth == 0) {
        closed = true;
        break;
      }
      --depth;
    } else if (tokens[i].is_punct(',') && depth == 0) {
      auto column = parse_column(sql, tokens, column_start, i);
      if (!column) return fail("empty index column");
      index.columns.push_back(std::move(*column));
      column_start = i + 1;
    }
  }
  if (!closed) return fail("missing closing )");
  auto column = parse_column(sql, tokens, column_start, i);
  if (!column) return fail("empty index column");
  index.columns.push_back(std::move(*column));
  ++i;

  if (i < tokens.size()) {
    if (!keyword("WHERE")) return fail("unexpected text after the column list");
    if (i >= tokens.size()) return fail("empty WHERE clause");
    int balance = 0;
    for (std::size_t k = i; k < tokens.size(); ++k) {
      balance += tokens[k].is_punct('(') ? 1 : tokens[k].is_punct(')') ? -1 : 0;
      if (balance < 0) return fail("unbalanced parentheses in WHERE");
    }
    if (balance != 0) return fail("unbalanced parentheses in WHERE");
    index.where =
        std::string(trim(sql.substr(tokens[i].begin, tokens.back().end - tokens[i].begin)));
  }
  return index;
}

bool IndexDefinition::valid() const noexcept {
  return !index_name.empty() && !table_name.empty() && !columns.empty();
}

std::string IndexDefinition::build() const {
  if (!valid()) return {};
  std::string out = "CREATE ";
  if (unique) out += "UNIQUE ";
  out += "INDEX ";
  if (if_not_exists) out += "IF NOT EXISTS ";
  if (!schema_name.empty()) out += quoted(schema_name) + ".";
  out += quoted(index_name) + " ON " + quoted(table_name) + " (";
  bool multi = columns.size() > 1;
  if (multi) out += "\n  ";
  bool first = true;
  for (const auto& column : columns) {
    std::string_view name = trim(column.name);  // only for the emptiness test and expressions
    if (name.empty()) continue;
    if (!first) out += ",\n  ";
    first = false;
    if (column.is_expression()) {
      out += name;
    } else {
      out += quoted(column.name);  // a quoted name's own white space is part of it
    }
    if (!column.collate.empty()) out += " COLLATE " + column.collate;
    if (!column.sort.empty()) out += " " + upper(column.sort);
  }
  if (!first && multi) out += "\n";
  out += ")";
  if (!where.empty()) out += " WHERE " + where;
  return out;
}

std::optional<IndexDefinition> find_single_column_unique_index(std::span<const std::string> indexes,
                                                               std::string_view column) {
  for (const auto& raw : indexes) {
    auto index = IndexDefinition::parse(raw);
    if (index && index->unique && index->columns.size() == 1 &&
        iequals(index->columns[0].name, column)) {
      return index;
    }
  }
  return std::nullopt;
}

namespace {

// The column of `columns` named `name` ignoring ASCII case, or nullptr.
const std::string* column_named(std::span<const std::string> columns, std::string_view name) {
  for (const std::string& column : columns) {
    if (column.size() != name.size()) continue;
    if (std::equal(column.begin(), column.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return &column;
    }
  }
  return nullptr;
}

void append_double_quoted(std::string& out, std::string_view name) {
  out += '"';
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_single_quoted(std::string& out, std::string_view text) {
  out += '\'';
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  out += '\'';
}

}  // namespace

std::optional<std::string> double_quote_identifiers(std::string_view fragment, std::string* error,
                                                    std::span<const std::string> columns) {
  auto tokens = detail::tokenize_sql(fragment, false, error);
  if (!tokens) return std::nullopt;
  std::string out;
  std::size_t copied = 0;
  for (std::size_t i = 0; i < tokens->size(); ++i) {
    const SqlToken& token = (*tokens)[i];
    std::string name;
    if (token.kind == SqlTokenKind::kQuotedIdentifier) {
      name = detail::identifier_name(token);
      if (!columns.empty() && token.text.front() == '"' && !column_named(columns, name)) {
        // SQLite reads a double-quoted name that is no column as a string literal (`!= ""`
        // is "not empty"); PostgreSQL would look for the column.
        out += fragment.substr(copied, token.begin - copied);
        append_single_quoted(out, name);
        copied = token.end;
        continue;
      }
    } else if (token.kind == SqlTokenKind::kWord) {
      const bool called = i + 1 < tokens->size() && (*tokens)[i + 1].is_punct('(');
      if (called || !column_named(columns, token.text)) continue;
      name = std::string(token.text);
    } else {
      continue;
    }
    if (const std::string* column = column_named(columns, name)) name = *column;
    out += fragment.substr(copied, token.begin - copied);
    append_double_quoted(out, name);
    copied = token.end;
  }
  out += fragment.substr(copied);
  return out;
}

}  // namespace basalt::schema
