// The SQLite Database end to end, on real files: reads and writes, bound parameters,
// constraint errors, the time budget, where a write's caller resumes, and the lock file.
#include "basalt/db/sqlite/sqlite_database.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/this_coro.hpp>
#include <filesystem>
#include <future>
#include <thread>

#include "basalt/db/database_error.hpp"
#include "basalt/db/testing/caller_thread.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db {
namespace {

using boost::asio::awaitable;
using std::chrono::milliseconds;
using testing::sync_wait;

constexpr std::string_view kEndlessCount =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000000) "
    "SELECT count(*) FROM c";

class SqliteDatabaseTest : public ::testing::Test {
 protected:
  SqliteOptions options(milliseconds timeout = milliseconds(5000)) const {
    SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = timeout;
    options.cache_bytes = 2 << 20;
    options.mmap_bytes = 8 << 20;
    return options;
  }

  // Runs one statement in a write job of its own.
  static void execute(Database& db, std::string sql, Params params = {}) {
    sync_wait(
        db.write([&](Transaction& tx) -> awaitable<void> { co_await tx.execute(sql, params); }));
  }

  static std::int64_t count(Database& db, std::string sql, Params params = {}) {
    return sync_wait(db.query(sql, params))[0].as_int(0);
  }

  testing::TempDir dir_;
};

TEST_F(SqliteDatabaseTest, WritesAreReadBack) {
  auto db = open_sqlite(options());
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "data.db"));
  execute(*db, "CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, score REAL)");
  ExecResult inserted;
  sync_wait(db->write([&](Transaction& tx) -> awaitable<void> {
    inserted = co_await tx.execute("INSERT INTO notes (title, score) VALUES (?1, ?2), (?3, ?4)",
                                   "first", 1.5, "second", nullptr);
  }));
  EXPECT_EQ(inserted.changes, 2);
  ResultSet rows = sync_wait(db->query("SELECT id, title, score FROM notes ORDER BY id"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.columns(), (std::vector<std::string>{"id", "title", "score"}));
  EXPECT_EQ(rows[0].as_text(1), "first");
  EXPECT_EQ(rows[0].as_double(2), 1.5);
  EXPECT_EQ(rows[1].as_text(1), "second");
  EXPECT_TRUE(rows[1].is_null(2));
}

// writer.hpp, invariant 11: statistics follow a schema change and every `statistics_rows`
// changed rows, not each commit.
TEST_F(SqliteDatabaseTest, PlannerStatisticsAreRefreshedAfterLargeChanges) {
  SqliteOptions opts = options();
  opts.statistics_rows = 100;
  auto db = open_sqlite(opts);
  execute(*db, "CREATE TABLE items (id INTEGER PRIMARY KEY, kind INTEGER)");
  execute(*db, "CREATE INDEX idx_items_kind ON items (kind)");  // a schema change: refreshed
  auto stat = [&]() -> std::string {
    ResultSet rows =
        sync_wait(db->query("SELECT stat FROM sqlite_stat1 WHERE idx = 'idx_items_kind'"));
    return rows.size() == 0 ? std::string("none") : std::string(rows[0].as_text(0));
  };
  // The refresh runs on the writer after the batch's callers were resumed: an empty job
  // queued after the inserts completes only once it is done.
  auto insert = [&](int from, int to) {
    sync_wait(db->write([&](Transaction& tx) -> awaitable<void> {
      for (int i = from; i < to; ++i) {
        co_await tx.execute("INSERT INTO items (id, kind) VALUES (?1, ?2)", i, i % 5);
      }
    }));
    sync_wait(db->write([](Transaction&) -> awaitable<void> { co_return; }));
  };
  insert(0, 60);
  EXPECT_EQ(stat(), "none");  // 60 rows changed: not yet
  insert(60, 110);
  EXPECT_EQ(stat(), "110 22");  // 110 >= 100: the refresh ran after that commit
  insert(110, 150);
  EXPECT_EQ(stat(), "110 22");  // 40 more: not yet
}

// Uncounted tables (the app names the outbox): their rows do not count toward statistics_rows;
// a refresh still analyzes them with the others.
TEST_F(SqliteDatabaseTest, RowsOfUncountedTablesDoNotBringARefreshCloser) {
  SqliteOptions opts = options();
  opts.statistics_rows = 100;
  opts.statistics_uncounted_tables = {"queue"};
  auto db = open_sqlite(opts);
  execute(*db, "CREATE TABLE items (id INTEGER PRIMARY KEY, kind INTEGER)");
  execute(*db, "CREATE INDEX idx_items_kind ON items (kind)");
  execute(*db, "CREATE TABLE queue (seq INTEGER PRIMARY KEY, body TEXT)");
  auto stat = [&](const char* table) -> std::string {
    ResultSet rows = sync_wait(db->query("SELECT stat FROM sqlite_stat1 WHERE tbl = ?1", table));
    return rows.size() == 0 ? std::string("none") : std::string(rows[0].as_text(0));
  };
  auto write = [&](const char* sql, int from, int to) {
    sync_wait(db->write([&](Transaction& tx) -> awaitable<void> {
      for (int i = from; i < to; ++i) co_await tx.execute(sql, i, i % 5);
    }));
    sync_wait(db->write([](Transaction&) -> awaitable<void> { co_return; }));
  };
  write("INSERT INTO items (id, kind) VALUES (?1, ?2)", 0, 60);
  write("INSERT INTO queue (seq, body) VALUES (?1, ?2)", 0, 500);
  EXPECT_EQ(stat("items"), "none");  // 60 counted rows (the 500 queued ones are not)
  write("INSERT INTO items (id, kind) VALUES (?1, ?2)", 60, 110);
  EXPECT_EQ(stat("items"), "110 22");  // 110 counted: refreshed
  EXPECT_EQ(stat("queue"), "500");     // ... the uncounted table with the others
}

TEST_F(SqliteDatabaseTest, ValuesAreBoundNeverSpliced) {
  auto db = open_sqlite(options());
  execute(*db, "CREATE TABLE t (v TEXT)");
  const std::string hostile = "x'); DROP TABLE t; -- \"double\" 'single' ?1 $1 \\";
  execute(*db, "INSERT INTO t (v) VALUES (?1)", {hostile});
  ResultSet rows = sync_wait(db->query("SELECT v FROM t WHERE v = ?1", hostile));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].as_text(0), hostile);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM t"), 1);  // the table is still there
}

TEST_F(SqliteDatabaseTest, UniqueViolationNamesTableAndColumn) {
  auto db = open_sqlite(options());
  execute(*db, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL)");
  execute(*db, "INSERT INTO users (email) VALUES (?1)", {std::string("a@example.com")});
  try {
    execute(*db, "INSERT INTO users (email) VALUES (?1)", {std::string("a@example.com")});
    FAIL() << "a duplicate email must be refused";
  } catch (const ConstraintError& error) {
    EXPECT_EQ(error.kind(), ConstraintKind::kUnique);
    EXPECT_EQ(error.columns(), std::vector<std::string>{"users.email"});
  }
  try {
    execute(*db, "INSERT INTO users (email) VALUES (?1)", {nullptr});
    FAIL() << "a NULL email must be refused";
  } catch (const ConstraintError& error) {
    EXPECT_EQ(error.kind(), ConstraintKind::kNotNull);
    EXPECT_EQ(error.columns(), std::vector<std::string>{"users.email"});
  }
  EXPECT_EQ(count(*db, "SELECT count(*) FROM users"), 1);
}

TEST_F(SqliteDatabaseTest, ForeignKeysAreEnforced) {
  auto db = open_sqlite(options());
  execute(*db, "CREATE TABLE parents (id INTEGER PRIMARY KEY)");
  execute(*db, "CREATE TABLE children (parent INTEGER REFERENCES parents (id))");
  try {
    execute(*db, "INSERT INTO children (parent) VALUES (?1)", {std::int64_t{7}});
    FAIL() << "a dangling reference must be refused";
  } catch (const ConstraintError& error) {
    EXPECT_EQ(error.kind(), ConstraintKind::kForeignKey);
  }
}

TEST_F(SqliteDatabaseTest, CallerResumesOnItsOwnThreadAfterCommitAndReadsItsWrite) {
  auto db = open_sqlite(options());
  execute(*db, "CREATE TABLE t (v INTEGER)");
  struct Outcome {
    std::thread::id before, after, job;
    std::int64_t seen = 0;
  };
  testing::CallerThread caller;
  auto outcome = caller.spawn([](Database& db) -> awaitable<Outcome> {
    Outcome outcome;
    outcome.before = std::this_thread::get_id();
    co_await db.write([&](Transaction& tx) -> awaitable<void> {
      outcome.job = std::this_thread::get_id();
      co_await tx.execute("INSERT INTO t (v) VALUES (42)");
    });
    outcome.after = std::this_thread::get_id();
    outcome.seen = (co_await db.query("SELECT count(*) FROM t WHERE v = 42"))[0].as_int(0);
    co_return outcome;
  }(*db));
  caller.start();
  Outcome result = outcome.get();
  EXPECT_EQ(result.before, caller.id());
  EXPECT_EQ(result.after, caller.id());
  EXPECT_NE(result.job, caller.id());  // the job itself ran on the writer thread
  EXPECT_EQ(result.seen, 1);
}

TEST_F(SqliteDatabaseTest, ReadsNeverSeeAnUncommittedWrite) {
  auto db = open_sqlite(options());
  execute(*db, "CREATE TABLE t (v INTEGER)");
  std::promise<void> inserted;
  std::promise<void> finish;
  std::thread writer([&] {
    sync_wait(db->write([&](Transaction& tx) -> awaitable<void> {
      co_await tx.execute("INSERT INTO t (v) VALUES (1)");
      inserted.set_value();
      finish.get_future().wait();  // hold the transaction open
    }));
  });
  inserted.get_future().wait();
  EXPECT_EQ(count(*db, "SELECT count(*) FROM t"), 0);
  finish.set_value();
  writer.join();
  EXPECT_EQ(count(*db, "SELECT count(*) FROM t"), 1);
}

TEST_F(SqliteDatabaseTest, AReadMayNotWrite) {
  auto db = open_sqlite(options());
  execute(*db, "CREATE TABLE t (v INTEGER)");
  EXPECT_THROW(sync_wait(db->query("INSERT INTO t (v) VALUES (1)")), DatabaseError);
  EXPECT_EQ(count(*db, "SELECT count(*) FROM t"), 0);
}

TEST_F(SqliteDatabaseTest, JobErrorsReachTheCallerUnchanged) {
  auto db = open_sqlite(options());
  execute(*db, "CREATE TABLE t (v INTEGER)");
  try {
    sync_wait(db->write([](Transaction& tx) -> awaitable<void> {
      co_await tx.execute("INSERT INTO t (v) VALUES (1)");
      throw core::ApiError::bad_request("Failed to create record.");
    }));
    FAIL() << "the job's error must reach the caller";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.message(), "Failed to create record.");
  }
  EXPECT_EQ(count(*db, "SELECT count(*) FROM t"), 0);
}

TEST_F(SqliteDatabaseTest, WriteFromInsideAJobIsRefused) {
  auto db = open_sqlite(options());
  EXPECT_THROW(sync_wait(db->write([&](Transaction&) -> awaitable<void> {
                 co_await db->write([](Transaction&) -> awaitable<void> { co_return; });
               })),
               DatabaseError);
  execute(*db, "CREATE TABLE still_writable (v)");
}

TEST_F(SqliteDatabaseTest, TimeBudgetStopsAPathologicalRead) {
  auto db = open_sqlite(options(milliseconds(100)));
  try {
    sync_wait(db->query(kEndlessCount));
    FAIL() << "the budget must stop the statement";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.message(), "The query took too long to run.");
  }
  EXPECT_EQ(count(*db, "SELECT 5"), 5);  // the read connection is still usable
}

TEST_F(SqliteDatabaseTest, AReadMayAskForItsOwnBudgetInlineOrPooled) {
  auto db = open_sqlite(options(milliseconds(60'000)));
  for (bool pooled : {false, true}) {
    try {
      sync_wait(db->query(kEndlessCount, {}, ReadOptions{pooled, milliseconds(50)}));
      FAIL() << "the read's own budget must stop the statement";
    } catch (const core::ApiError& error) {
      EXPECT_EQ(error.status(), 400);
      EXPECT_EQ(error.message(), "The query took too long to run.");
    }
  }
  EXPECT_EQ(sync_wait(db->query("SELECT 7", {}, ReadOptions{true, {}}))[0].as_int(0), 7);
}

TEST_F(SqliteDatabaseTest, APooledReadLeavesTheCallerThreadFreeAndResumesOnIt) {
  auto db = open_sqlite(options());
  struct Step {
    std::string name;
    std::thread::id thread;
  };
  std::vector<Step> steps;  // appended to on the caller thread only
  testing::CallerThread caller;
  // The pooled read runs until its budget stops it; the inline read spawned after it finishes
  // first because the pooled one does not hold the caller thread.
  auto slow = caller.spawn([](Database& db, std::vector<Step>& steps) -> awaitable<void> {
    try {
      co_await db.query(kEndlessCount, {}, ReadOptions{true, milliseconds(300)});
    } catch (const core::ApiError&) {
    }
    steps.push_back({"pooled", std::this_thread::get_id()});
  }(*db, steps));
  auto quick = caller.spawn([](Database& db, std::vector<Step>& steps) -> awaitable<void> {
    co_await db.query("SELECT 1");
    steps.push_back({"inline", std::this_thread::get_id()});
  }(*db, steps));
  caller.start();
  slow.get();
  quick.get();
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].name, "inline");
  EXPECT_EQ(steps[1].name, "pooled");
  EXPECT_EQ(steps[1].thread, caller.id());
}

TEST_F(SqliteDatabaseTest, TimeBudgetStopsAPathologicalStatementInAJob) {
  auto db = open_sqlite(options(milliseconds(100)));
  execute(*db, "CREATE TABLE t (v INTEGER)");
  try {
    sync_wait(db->write([](Transaction& tx) -> awaitable<void> {
      co_await tx.execute("INSERT INTO t (v) VALUES (1)");
      co_await tx.query(kEndlessCount);
    }));
    FAIL() << "the budget must stop the statement";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
  }
  EXPECT_EQ(count(*db, "SELECT count(*) FROM t"), 0);  // the job's insert went with it
  execute(*db, "INSERT INTO t (v) VALUES (2)");
  EXPECT_EQ(count(*db, "SELECT count(*) FROM t"), 1);
}

TEST_F(SqliteDatabaseTest, SecondOpenOfTheDirectoryIsRefusedUntilTheFirstCloses) {
  auto first = open_sqlite(options());
  try {
    open_sqlite(options());
    FAIL() << "the second open must be refused";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(std::string(error.what()), "data directory " + dir_.str() +
                                             " is in use by another basalt process (pid " +
                                             std::to_string(::getpid()) + ")");
  }
  execute(*first, "CREATE TABLE t (v INTEGER)");
  execute(*first, "INSERT INTO t (v) VALUES (1)");
  first.reset();
  auto second = open_sqlite(options());
  EXPECT_EQ(count(*second, "SELECT count(*) FROM t"), 1);
}

TEST_F(SqliteDatabaseTest, CreatesTheDataDirectory) {
  SqliteOptions nested = options();
  nested.data_dir = (dir_.path() / "a" / "b").string();
  auto db = open_sqlite(nested);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "a" / "b" / "data.db"));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "a" / "b" / ".lock"));
}

TEST_F(SqliteDatabaseTest, PragmasAreApplied) {
  auto db = open_sqlite(options());
  // The read connection's own settings.
  EXPECT_EQ(count(*db, "PRAGMA cache_size"), -2048);  // 2 MiB, in KiB
  EXPECT_EQ(count(*db, "PRAGMA mmap_size"), 8 << 20);
  EXPECT_EQ(count(*db, "PRAGMA temp_store"), 2);  // MEMORY
  // The writer's.
  std::string journal_mode;
  std::int64_t synchronous = -1;
  std::int64_t foreign_keys = -1;
  std::int64_t cache_size = 0;
  sync_wait(db->write([&](Transaction& tx) -> awaitable<void> {
    journal_mode = (co_await tx.query("PRAGMA journal_mode"))[0].as_text(0);
    synchronous = (co_await tx.query("PRAGMA synchronous"))[0].as_int(0);
    foreign_keys = (co_await tx.query("PRAGMA foreign_keys"))[0].as_int(0);
    cache_size = (co_await tx.query("PRAGMA cache_size"))[0].as_int(0);
  }));
  EXPECT_EQ(journal_mode, "wal");
  EXPECT_EQ(synchronous, 1);  // NORMAL
  EXPECT_EQ(foreign_keys, 1);
  EXPECT_EQ(cache_size, -2048);
}

TEST_F(SqliteDatabaseTest, StatisticsStatementsGiveThePlannerIndexStatistics) {
  auto db = open_sqlite(options());
  sync_wait(db->write([&](Transaction& tx) -> awaitable<void> {
    co_await tx.execute("CREATE TABLE t (a INTEGER, b INTEGER)");
    co_await tx.execute("CREATE INDEX t_a ON t (a)");
    co_await tx.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
        "INSERT INTO t SELECT i % 7, i FROM n");
  }));
  EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"), 0);
  sync_wait(db->write([&](Transaction& tx) -> awaitable<void> {
    const std::vector<std::string> statements = db->dialect().statistics_statements();
    for (const auto& statement : statements) co_await tx.execute(statement);
  }));
  EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM sqlite_stat1 WHERE idx = 't_a'"), 1);
}

TEST_F(SqliteDatabaseTest, SettingsMapToOptions) {
  core::Config config;
  config.data_dir = "/srv/basalt";
  config.db.statement_timeout = milliseconds(250);
  config.db.cache_bytes = 1024;
  config.db.mmap_bytes = 0;
  SqliteOptions mapped = sqlite_options(config);
  EXPECT_EQ(mapped.data_dir, "/srv/basalt");
  EXPECT_EQ(mapped.statement_timeout, milliseconds(250));
  EXPECT_EQ(mapped.cache_bytes, 1024u);
  EXPECT_EQ(mapped.mmap_bytes, 0u);
  mapped.statement_timeout = milliseconds(0);
  EXPECT_THROW(open_sqlite(mapped), std::invalid_argument);
}

}  // namespace
}  // namespace basalt::db
