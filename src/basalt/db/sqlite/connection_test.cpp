// Connection: one statement per call, bound parameters, the statement cache, the authorizer
// and the time budget, on real database files.
#include "basalt/db/sqlite/connection.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "basalt/db/database_error.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db::sqlite {
namespace {

using std::chrono::milliseconds;

// Counts to a billion: minutes of work, stopped by the budget long before.
constexpr std::string_view kEndlessCount =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
    "SELECT count(*) FROM c";

class ConnectionTest : public ::testing::Test {
 protected:
  ConnectionOptions options(std::size_t cache_capacity = 16) const {
    ConnectionOptions options;
    options.statement_timeout = milliseconds(5000);
    options.cache_bytes = 1 << 20;
    options.mmap_bytes = 0;
    options.statement_cache_capacity = cache_capacity;
    return options;
  }
  std::string path() const { return (dir_.path() / "data.db").string(); }

  testing::TempDir dir_;
};

TEST_F(ConnectionTest, ValuesRoundTripThroughParameters) {
  Connection writer(path(), ConnectionRole::kWriter, options());
  writer.execute("CREATE TABLE t (v)", {});
  const std::string tricky = "it's \"quoted\"'); DROP TABLE t; --";
  const Params values{
      nullptr, std::int64_t{-42}, 2.5, tricky, Blob{std::string("\0\1\2", 3)}, std::string(),
      Blob{}};
  for (const Value& value : values) writer.execute("INSERT INTO t (v) VALUES (?1)", {value});
  ResultSet rows = writer.query("SELECT v FROM t ORDER BY rowid", {});
  ASSERT_EQ(rows.size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_EQ(rows[i][0], values[i]) << i;
}

// db-trace-statements: each statement's text is logged as it starts, placeholders and not the
// values bound to them; without the option nothing is logged.
TEST_F(ConnectionTest, TracedStatementsAreLoggedWithoutTheirValues) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  sink->set_pattern("%v");
  const std::shared_ptr<spdlog::logger> previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("trace-test", sink));
  {
    ConnectionOptions traced = options();
    traced.trace_statements = true;
    Connection writer(path(), ConnectionRole::kWriter, traced);
    writer.execute("CREATE TABLE t (v)", {});
    writer.execute("INSERT INTO t (v) VALUES (?1)", {std::string("s3cret value")});
    Connection quiet(path(), ConnectionRole::kReader, options());
    quiet.query("SELECT v FROM t", {});
  }
  spdlog::set_default_logger(previous);
  const std::vector<std::string> lines = sink->last_formatted();
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0], "sql: CREATE TABLE t (v)\n");
  EXPECT_EQ(lines[1], "sql: INSERT INTO t (v) VALUES (?1)\n");
}

TEST_F(ConnectionTest, ExecuteReportsOnlyItsOwnChanges) {
  Connection writer(path(), ConnectionRole::kWriter, options());
  EXPECT_EQ(writer.execute("CREATE TABLE t (v INTEGER)", {}).changes, 0);
  ExecResult inserted = writer.execute("INSERT INTO t (v) VALUES (1), (2), (3)", {});
  EXPECT_EQ(inserted.changes, 3);
  EXPECT_EQ(inserted.last_insert_rowid, 3);
  EXPECT_EQ(writer.execute("CREATE INDEX t_v ON t (v)", {}).changes, 0);  // not a stale 3
  EXPECT_EQ(writer.execute("UPDATE t SET v = v + 1 WHERE v > ?1", {std::int64_t{1}}).changes, 2);
}

TEST_F(ConnectionTest, OneStatementPerCall) {
  Connection writer(path(), ConnectionRole::kWriter, options());
  writer.execute("CREATE TABLE t (v);  -- trailing comments and semicolons are fine\n;", {});
  EXPECT_THROW(writer.execute("INSERT INTO t VALUES (1); DROP TABLE t", {}), DatabaseError);
  EXPECT_THROW(writer.execute("  -- nothing\n", {}), DatabaseError);
  EXPECT_EQ(writer.query("SELECT count(*) FROM t", {})[0].as_int(0), 0);  // nothing ran
}

TEST_F(ConnectionTest, ParameterCountMustMatch) {
  Connection writer(path(), ConnectionRole::kWriter, options());
  EXPECT_THROW(writer.query("SELECT ?1, ?2", {std::int64_t{1}}), DatabaseError);
  EXPECT_THROW(writer.query("SELECT 1", {std::int64_t{1}}), DatabaseError);
  ResultSet reused = writer.query("SELECT ?1 + ?1", {std::int64_t{21}});
  EXPECT_EQ(reused[0].as_int(0), 42);  // a number names one value, used twice
}

TEST_F(ConnectionTest, StatementCacheEvictsLeastRecentlyUsed) {
  Connection writer(path(), ConnectionRole::kWriter, options(2));
  EXPECT_EQ(writer.query("SELECT 1", {})[0].as_int(0), 1);
  EXPECT_EQ(writer.query("SELECT 2", {})[0].as_int(0), 2);
  EXPECT_EQ(writer.query("SELECT 1", {})[0].as_int(0), 1);  // hit: now most recent
  EXPECT_EQ(writer.query("SELECT 3", {})[0].as_int(0), 3);  // evicts "SELECT 2"
  EXPECT_EQ(writer.cached_statements(), 2u);
  EXPECT_EQ(writer.query("SELECT 2", {})[0].as_int(0), 2);  // prepared again
  EXPECT_EQ(writer.cached_statements(), 2u);
}

TEST_F(ConnectionTest, CachedStatementsAreResetAfterAFailure) {
  Connection writer(path(), ConnectionRole::kWriter, options());
  writer.execute("CREATE TABLE t (v INTEGER UNIQUE)", {});
  const std::string insert = "INSERT INTO t (v) VALUES (?1)";
  writer.execute(insert, {std::int64_t{1}});
  EXPECT_THROW(writer.execute(insert, {std::int64_t{1}}), ConstraintError);
  writer.execute(insert, {std::int64_t{2}});
  EXPECT_EQ(writer.query("SELECT count(*) FROM t", {})[0].as_int(0), 2);
}

TEST_F(ConnectionTest, TransactionControlIsReservedToTheOwner) {
  Connection writer(path(), ConnectionRole::kWriter, options());
  writer.execute("CREATE TABLE t (v)", {});
  EXPECT_THROW(writer.execute("BEGIN", {}), DatabaseError);
  writer.control("BEGIN IMMEDIATE");
  EXPECT_TRUE(writer.in_transaction());
  EXPECT_THROW(writer.execute("COMMIT", {}), DatabaseError);
  EXPECT_THROW(writer.execute("ROLLBACK", {}), DatabaseError);
  EXPECT_THROW(writer.execute("SAVEPOINT _basalt_job", {}), DatabaseError);
  EXPECT_THROW(writer.execute("release _BASALT_job", {}), DatabaseError);
  writer.execute("SAVEPOINT mine", {});  // a job's own nested savepoint is fine
  writer.execute("INSERT INTO t VALUES (1)", {});
  writer.execute("ROLLBACK TO mine", {});
  writer.execute("RELEASE mine", {});
  writer.control("COMMIT");
  EXPECT_FALSE(writer.in_transaction());
  EXPECT_EQ(writer.query("SELECT count(*) FROM t", {})[0].as_int(0), 0);
}

TEST_F(ConnectionTest, ReaderSeesOnlyCommittedDataAndNeverWrites) {
  Connection writer(path(), ConnectionRole::kWriter, options());
  writer.execute("CREATE TABLE t (v)", {});
  Connection reader(path(), ConnectionRole::kReader, options());
  writer.control("BEGIN IMMEDIATE");
  writer.execute("INSERT INTO t VALUES (1)", {});
  EXPECT_EQ(reader.query("SELECT count(*) FROM t", {})[0].as_int(0), 0);
  writer.control("COMMIT");
  EXPECT_EQ(reader.query("SELECT count(*) FROM t", {})[0].as_int(0), 1);

  EXPECT_THROW(reader.query("INSERT INTO t VALUES (2)", {}), DatabaseError);
  EXPECT_THROW(reader.query("BEGIN", {}), DatabaseError);  // would pin an old snapshot
  EXPECT_THROW(reader.query("SAVEPOINT s", {}), DatabaseError);
  EXPECT_EQ(reader.query("SELECT count(*) FROM t", {})[0].as_int(0), 1);
}

TEST_F(ConnectionTest, TimeBudgetStopsAStatementAndTheConnectionGoesOn) {
  ConnectionOptions short_budget = options();
  short_budget.statement_timeout = milliseconds(50);
  Connection writer(path(), ConnectionRole::kWriter, short_budget);
  try {
    writer.query(kEndlessCount, {});
    FAIL() << "the budget must stop the statement";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.message(), kStatementTimeoutMessage);
  }
  EXPECT_EQ(writer.query("SELECT 7", {})[0].as_int(0), 7);
  // The same (cached) statement is budgeted afresh on its next run.
  EXPECT_THROW(writer.query(kEndlessCount, {}), core::ApiError);
}

TEST_F(ConnectionTest, ReaderNeedsAnExistingDatabase) {
  EXPECT_THROW(Connection(path(), ConnectionRole::kReader, options()), DatabaseError);
}

}  // namespace
}  // namespace basalt::db::sqlite
