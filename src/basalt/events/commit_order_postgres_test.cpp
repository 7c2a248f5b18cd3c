// Commit order on PostgreSQL (docs/events.md, "Commit order on PostgreSQL"), on a real server
// through two libpq sessions: the statement OutboxWriter runs before its insert makes a second
// appending transaction wait for the first one's commit, so a sequence number it then draws is
// larger than the first's and a reader never sees the larger number without the smaller.
#include <gtest/gtest.h>

#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/testing/libpq_session.hpp"
#include "basalt/events/outbox_writer.hpp"

namespace basalt::events {
namespace {

TEST(OutboxCommitOrderPostgres, TheOrderLockHoldsOtherAppendersUntilCommit) {
  BASALT_LIBPQ_SESSION_OR_SKIP(first);
  BASALT_LIBPQ_SESSION_OR_SKIP(second);
  const db::PostgresDialect dialect;
  const std::string lock = dialect.commit_order_lock("$1");
  const std::string key = std::to_string(kOutboxOrderLockKey);
  // One sequence both sessions draw from, in the first session's schema.
  first.exec("CREATE TABLE ordered (seq " + std::string(dialect.increasing_key_column()) +
             ", who TEXT NOT NULL)");
  const std::string table = "\"" + first.schema() + "\".ordered";

  first.exec("BEGIN");
  first.query(lock, {key});
  first.exec("INSERT INTO " + table + " (who) VALUES ('first')");
  second.exec("BEGIN");
  // The second appender cannot pass the lock while the first transaction is open ...
  const auto tried = second.query("SELECT pg_try_advisory_xact_lock($1::bigint)", {key});
  EXPECT_EQ(tried.at(0).at(0), "f");
  first.exec("COMMIT");
  // ... and passes it once the first committed; its number comes after the first's.
  second.query(lock, {key});
  second.exec("INSERT INTO " + table + " (who) VALUES ('second')");
  second.exec("COMMIT");
  const auto rows = first.query("SELECT who FROM " + table + " ORDER BY seq");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "first");
  EXPECT_EQ(rows[1][0], "second");
}

}  // namespace
}  // namespace basalt::events
