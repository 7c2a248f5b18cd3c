// What a statement's span is named after: its operation and first table, never its values.
#include <gtest/gtest.h>

#include "basalt/db/statement_span.hpp"

namespace basalt::db {
namespace {

struct SummaryCase {
  std::string_view sql;
  std::string_view operation;
  std::string_view table;
};

TEST(StatementSummaryTest, NamesTheOperationAndTheFirstTable) {
  const SummaryCase cases[] = {
      {"SELECT * FROM \"posts\" WHERE id = ?1", "SELECT", "posts"},
      {"select count(*) from posts p where p.x = $1", "select", "posts"},
      {"SELECT (SELECT 1 FROM a) AS x FROM b", "SELECT", "a"},
      {"SELECT * FROM (SELECT id FROM \"posts\" LIMIT 5) AS p", "SELECT", "posts"},
      {"INSERT INTO `users` (id) VALUES (?)", "INSERT", "users"},
      {"INSERT OR REPLACE INTO [_params] VALUES (?, ?)", "INSERT", "_params"},
      {"UPDATE \"posts\" SET title = ? WHERE id = ?", "UPDATE", "posts"},
      {"UPDATE OR ABORT posts SET a = 1", "UPDATE", "posts"},
      {"DELETE FROM _logs WHERE created < ?", "DELETE", "_logs"},
      {"  -- comment\n SELECT 1", "SELECT", ""},
      {"WITH x AS (SELECT 1) SELECT * FROM x", "WITH", ""},
      {"SAVEPOINT s1", "SAVEPOINT", ""},
      {"", "", ""},
      {"SELECT * FROM \"unterminated", "SELECT", ""},
  };
  for (const SummaryCase& c : cases) {
    const StatementSummary summary = summarize_statement(c.sql);
    EXPECT_EQ(summary.operation, c.operation) << c.sql;
    EXPECT_EQ(summary.table, c.table) << c.sql;
  }
}

TEST(StatementSummaryTest, NoSpanWithoutASampledCurrentSpan) {
  core::SpanScope span;
  start_statement_span(span, "SELECT * FROM posts", "sqlite", "read");
  EXPECT_FALSE(span.active());
}

}  // namespace
}  // namespace basalt::db
