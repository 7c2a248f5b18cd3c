#include "basalt/db/postgres/sql_text.hpp"

#include <array>

namespace basalt::db::postgres {
namespace {

bool word_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool word_char(char c) {
  return word_start(c) || (c >= '0' && c <= '9') || c == '$';
}
char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// A token of the text: a word (`quoted` for a "quoted identifier"); other characters are
// skipped one by one, literals and comments whole.
struct Token {
  std::string text;
  bool quoted = false;
};

class Scanner {
 public:
  explicit Scanner(std::string_view sql) : sql_(sql) {}

  // The next word, or false at the end of the text.
  bool next(Token& token) {
    while (at_ < sql_.size()) {
      const char c = sql_[at_];
      if (c == '-' && peek(1) == '-') {
        skip_to("\n");
      } else if (c == '/' && peek(1) == '*') {
        skip_block_comment();
      } else if (c == '\'') {
        skip_quoted('\'');
      } else if (c == '"') {
        token.quoted = true;
        token.text = read_quoted();
        return true;
      } else if (c == '$' && dollar_quote()) {
        // skipped by dollar_quote()
      } else if (word_start(c)) {
        // E'...', B'...', X'...', U&'...' literals: the prefix is a word, the quote follows
        // and is skipped on the next turn.
        token.quoted = false;
        token.text.clear();
        while (at_ < sql_.size() && word_char(sql_[at_])) token.text.push_back(lower(sql_[at_++]));
        return true;
      } else {
        ++at_;
      }
    }
    return false;
  }

 private:
  char peek(std::size_t ahead) const {
    return at_ + ahead < sql_.size() ? sql_[at_ + ahead] : '\0';
  }
  void skip_to(std::string_view end) {
    const std::size_t found = sql_.find(end, at_);
    at_ = found == std::string_view::npos ? sql_.size() : found + end.size();
  }
  void skip_block_comment() {  // nested, as PostgreSQL's
    int depth = 0;
    while (at_ < sql_.size()) {
      if (sql_[at_] == '/' && peek(1) == '*') {
        ++depth;
        at_ += 2;
      } else if (sql_[at_] == '*' && peek(1) == '/') {
        at_ += 2;
        if (--depth == 0) return;
      } else {
        ++at_;
      }
    }
  }
  void skip_quoted(char quote) {  // a doubled quote stays inside; backslashes are harmless
    ++at_;
    while (at_ < sql_.size()) {
      if (sql_[at_] == '\\' && quote == '\'') {
        at_ += 2;  // E'..\'..' escapes; in a standard string "\'" then ends it one char late
        continue;
      }
      if (sql_[at_] == quote) {
        if (peek(1) == quote) {
          at_ += 2;
          continue;
        }
        ++at_;
        return;
      }
      ++at_;
    }
  }
  std::string read_quoted() {
    std::string text;
    ++at_;
    while (at_ < sql_.size()) {
      if (sql_[at_] == '"') {
        if (peek(1) == '"') {
          text.push_back('"');
          at_ += 2;
          continue;
        }
        ++at_;
        break;
      }
      text.push_back(sql_[at_++]);
    }
    return text;
  }
  // At a '$': skips a $tag$...$tag$ literal and returns true, or returns false for a
  // parameter ($1) or a lone '$'.
  bool dollar_quote() {
    std::size_t end = at_ + 1;
    while (end < sql_.size() && sql_[end] != '$' && word_char(sql_[end]) && sql_[end] != '$') {
      ++end;
    }
    if (end >= sql_.size() || sql_[end] != '$') return false;
    const std::string_view tag = sql_.substr(at_, end - at_ + 1);
    if (tag.size() > 2 && tag[1] >= '0' && tag[1] <= '9') return false;
    const std::size_t close = sql_.find(tag, end + 1);
    at_ = close == std::string_view::npos ? sql_.size() : close + tag.size();
    return true;
  }

  std::string_view sql_;
  std::size_t at_ = 0;
};

std::vector<Token> leading_tokens(std::string_view sql, std::size_t count) {
  Scanner scanner(sql);
  std::vector<Token> tokens;
  Token token;
  while (tokens.size() < count && scanner.next(token)) tokens.push_back(token);
  return tokens;
}

bool is(const std::vector<Token>& tokens, std::size_t i, std::string_view word) {
  return i < tokens.size() && !tokens[i].quoted && tokens[i].text == word;
}

}  // namespace

StatementKind statement_kind(std::string_view sql) {
  const std::vector<Token> tokens = leading_tokens(sql, 3);
  if (tokens.empty() || tokens[0].quoted) return StatementKind::kSchema;
  const std::string& first = tokens[0].text;
  constexpr std::array kReads{"select", "values", "table", "with", "show", "explain"};
  for (std::string_view word : kReads) {
    if (first == word) return StatementKind::kRead;
  }
  // ANALYZE writes only planner statistics: no schema change, no table's rows.
  constexpr std::array kWrites{"insert", "update", "delete", "merge", "analyze"};
  for (std::string_view word : kWrites) {
    if (first == word) return StatementKind::kWrite;
  }
  if (first == "savepoint" || first == "release") return StatementKind::kSavepoint;
  if (first == "rollback") {
    // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name; plain ROLLBACK and ROLLBACK PREPARED
    // end transactions.
    const std::size_t to = is(tokens, 1, "work") || is(tokens, 1, "transaction") ? 2 : 1;
    if (is(tokens, to, "to")) return StatementKind::kSavepoint;
    return StatementKind::kControl;
  }
  // DO is not among them: an anonymous block runs inside the job's transaction and statement
  // savepoint, where PostgreSQL refuses transaction control ("invalid transaction
  // termination"); the filter functions' setup creates its types with one (a schema change).
  constexpr std::array kControl{
      "begin",   "start",  "commit",   "end",        "abort",  "prepare", "set",        "reset",
      "discard", "listen", "unlisten", "notify",     "lock",   "load",    "deallocate", "close",
      "declare", "fetch",  "move",     "checkpoint", "vacuum", "call",    "copy"};
  for (std::string_view word : kControl) {
    if (first == word) return StatementKind::kControl;
  }
  return StatementKind::kSchema;
}

std::string savepoint_name(std::string_view sql) {
  Scanner scanner(sql);
  Token token;
  std::vector<Token> tokens;
  while (tokens.size() < 5 && scanner.next(token)) tokens.push_back(token);
  // The name is the last word of SAVEPOINT x / RELEASE [SAVEPOINT] x /
  // ROLLBACK [WORK|TRANSACTION] TO [SAVEPOINT] x.
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    if (tokens[i].quoted) return tokens[i].text;
    const std::string& word = tokens[i].text;
    if (word == "savepoint" || word == "to" || word == "work" || word == "transaction") continue;
    return word;
  }
  return {};
}

std::vector<std::string> identifiers(std::string_view sql) {
  Scanner scanner(sql);
  Token token;
  std::vector<std::string> words;
  while (scanner.next(token)) words.push_back(std::move(token.text));
  return words;
}

}  // namespace basalt::db::postgres
