// PostgresDatabase against the real test server: every clause of the Database and
// Transaction contract (database.hpp, transaction.hpp) as postgres_database.hpp meets it.
#include "basalt/db/postgres/postgres_database.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <latch>
#include <thread>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/db/testing/caller_thread.hpp"
#include "basalt/db/testing/postgres_server.hpp"
#include "basalt/db/testing/sync_wait.hpp"

namespace basalt::db {
namespace {

namespace asio = boost::asio;
using testing::PostgresSchema;
using testing::sync_wait;

// The exception `run` throws, as its what() and (for an ApiError) status.
struct Thrown {
  std::string what;
  int status = 0;
  bool constraint = false;
  bool any = false;
};
template <typename Run>
asio::awaitable<Thrown> thrown_by(Run run) {
  Thrown thrown;
  try {
    co_await run();
  } catch (const core::ApiError& error) {
    thrown = {error.what(), error.status(), false, true};
  } catch (const ConstraintError& error) {
    thrown = {error.what(), 0, true, true};
  } catch (const std::exception& error) {
    thrown = {error.what(), 0, false, true};
  }
  co_return thrown;
}

class PostgresDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BASALT_REQUIRE_POSTGRES();
    schema_ = std::make_unique<PostgresSchema>();
    schema_->exec("CREATE TABLE t (k text PRIMARY KEY, v int NOT NULL)");
  }
  std::unique_ptr<Database> open(std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                 postgres::PoolLimits pool = {}, int attempts = 5) {
    PostgresOptions options;
    options.url = schema_->url();
    options.statement_timeout = timeout;
    options.pool = pool;
    options.max_write_attempts = attempts;
    return open_postgres(options, std::make_shared<PostgresDialect>());
  }
  std::int64_t count(Database& db, const std::string& sql = "SELECT count(*) FROM t") {
    return sync_wait(db.query(sql))[0].as_int(0);
  }
  std::unique_ptr<PostgresSchema> schema_;
};

TEST_F(PostgresDatabaseTest, AJobCommitsAndItsRowsAreVisibleToLaterReads) {
  auto db = open();
  EXPECT_EQ(db->dialect().placeholder(2), "$2");
  ExecResult inserted;
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    inserted = co_await tx.execute("INSERT INTO t VALUES ($1, $2), ($3, $4)", "a", 1, "b", 2);
    ResultSet own = co_await tx.query("SELECT count(*) FROM t");  // sees its own writes
    EXPECT_EQ(own[0].as_int(0), 2);
  }));
  EXPECT_EQ(inserted.changes, 2);
  EXPECT_EQ(inserted.last_insert_rowid, 0);
  ResultSet rows = sync_wait(db->query("SELECT k, v FROM t WHERE v > $1 ORDER BY k", 0));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].as_text(0), "b");
  EXPECT_EQ(rows[1].as_int(1), 2);
}

TEST_F(PostgresDatabaseTest, AJobThatThrowsLeavesNothingAndItsErrorReachesTheCaller) {
  auto db = open();
  Thrown thrown = sync_wait(thrown_by([&]() -> asio::awaitable<void> {
    co_await db->write([&](Transaction& tx) -> asio::awaitable<void> {
      co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "a", 1);
      throw core::ApiError(409, "mine");
    });
  }));
  EXPECT_EQ(thrown.status, 409);
  EXPECT_EQ(thrown.what, "mine");
  EXPECT_EQ(count(*db), 0);
}

TEST_F(PostgresDatabaseTest, AFailedStatementFailsAloneAndTheJobGoesOn) {
  auto db = open();
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "a", 1);
  }));
  bool caught = false;
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "b", 2);
    try {
      co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "a", 3);  // taken key
    } catch (const ConstraintError& error) {
      caught = error.kind() == ConstraintKind::kUnique && error.columns().size() == 1 &&
               error.columns()[0] == "t.k";
    }
    co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "c", 4);
  }));
  EXPECT_TRUE(caught);
  EXPECT_EQ(count(*db), 3);
  // Uncaught, the constraint error is the job's error.
  Thrown thrown = sync_wait(thrown_by([&]() -> asio::awaitable<void> {
    co_await db->write([&](Transaction& tx) -> asio::awaitable<void> {
      co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "d", 5);
      co_await tx.execute("INSERT INTO t VALUES ($1, NULL)", "e");
    });
  }));
  EXPECT_TRUE(thrown.constraint);
  EXPECT_EQ(count(*db), 3);
}

TEST_F(PostgresDatabaseTest, TransactionControlAndSessionSettingsAreRefused) {
  auto db = open();
  for (const char* sql : {"BEGIN", "COMMIT", "ROLLBACK", "END", "START TRANSACTION",
                          "SET statement_timeout = 0", "RESET ALL", "SAVEPOINT _basalt_x",
                          "RELEASE SAVEPOINT _BASALT_statement", "SELECT 1; SELECT 2"}) {
    Thrown thrown = sync_wait(thrown_by([&]() -> asio::awaitable<void> {
      co_await db->write(
          [&](Transaction& tx) -> asio::awaitable<void> { co_await tx.execute(sql); });
    }));
    EXPECT_TRUE(thrown.any && thrown.status == 0) << sql;
  }
  for (const char* sql : {"COMMIT", "SET search_path = public", "SELECT 1; SELECT 2",
                          "INSERT INTO t VALUES ('x', 1)"}) {
    Thrown thrown =
        sync_wait(thrown_by([&]() -> asio::awaitable<void> { co_await db->query(sql); }));
    EXPECT_TRUE(thrown.any && thrown.status == 0) << sql;
  }
  EXPECT_EQ(count(*db), 0);
}

TEST_F(PostgresDatabaseTest, AJobsOwnSavepointsWork) {
  auto db = open();
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "kept", 1);
    co_await tx.execute("SAVEPOINT mine");
    co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "undone", 2);
    co_await tx.execute("ROLLBACK TO SAVEPOINT mine");
    co_await tx.execute("RELEASE mine");
  }));
  ResultSet rows = sync_wait(db->query("SELECT k FROM t"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].as_text(0), "kept");
}

TEST_F(PostgresDatabaseTest, AFailedSavepointStatementDoomsTheJob) {
  auto db = open();
  std::string later;
  Thrown thrown = sync_wait(thrown_by([&]() -> asio::awaitable<void> {
    co_await db->write([&](Transaction& tx) -> asio::awaitable<void> {
      co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "a", 1);
      try {
        co_await tx.execute("ROLLBACK TO SAVEPOINT never_made");
      } catch (const DatabaseError&) {
      }
      try {
        co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "b", 2);
      } catch (const DatabaseError& error) {
        later = error.what();
      }
      // Returning normally does not save it: the job fails with the first error.
    });
  }));
  EXPECT_NE(thrown.what.find("never_made"), std::string::npos) << thrown.what;
  EXPECT_NE(later.find("abandoned"), std::string::npos) << later;
  EXPECT_EQ(count(*db), 0);
}

TEST_F(PostgresDatabaseTest, ALostConnectionFailsTheJobAndIsNotReused) {
  auto db = open();
  asio::io_context context(1);  // one worker: the next job would get the same connection
  Thrown lost;
  std::int64_t pid_in_job = 0;
  std::int64_t pid_after = 0;
  auto run = [&]() -> asio::awaitable<void> {
    lost = co_await thrown_by([&]() -> asio::awaitable<void> {
      co_await db->write([&](Transaction& tx) -> asio::awaitable<void> {
        co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "a", 1);
        pid_in_job = (co_await tx.query("SELECT pg_backend_pid()"))[0].as_int(0);
        co_await tx.query("SELECT pg_terminate_backend(pg_backend_pid())");
      });
    });
    co_await db->write([&](Transaction& tx) -> asio::awaitable<void> {
      pid_after = (co_await tx.query("SELECT pg_backend_pid()"))[0].as_int(0);
      co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "b", 2);
    });
  };
  auto done = asio::co_spawn(context, run(), asio::use_future);
  context.run();
  done.get();
  EXPECT_TRUE(lost.any);
  EXPECT_EQ(lost.status, 0);  // a DatabaseError: a 500, not the client's doing
  EXPECT_NE(pid_after, pid_in_job);
  ResultSet rows = sync_wait(db->query("SELECT k FROM t"));
  ASSERT_EQ(rows.size(), 1u);  // the lost job's row never committed
  EXPECT_EQ(rows[0].as_text(0), "b");
}

TEST_F(PostgresDatabaseTest, AJobWithoutStatementsOpensNoTransaction) {
  auto db = open();
  int runs = 0;
  sync_wait(db->write([&](Transaction&) -> asio::awaitable<void> {
    ++runs;
    co_return;
  }));
  EXPECT_EQ(runs, 1);
}

TEST_F(PostgresDatabaseTest, StatementsPastTheirBudgetAreThe400) {
  auto db = open(std::chrono::milliseconds(200));
  Thrown read = sync_wait(
      thrown_by([&]() -> asio::awaitable<void> { co_await db->query("SELECT pg_sleep(5)"); }));
  EXPECT_EQ(read.status, 400);
  EXPECT_EQ(read.what, kStatementTimeoutMessage);
  // A read's own budget replaces the database's.
  ReadOptions longer;
  longer.budget = std::chrono::seconds(5);
  const Params none;
  EXPECT_EQ(sync_wait(db->query("SELECT pg_sleep(0.3), 7", none, longer))[0].as_int(1), 7);
  ReadOptions shorter;
  shorter.budget = std::chrono::milliseconds(50);
  shorter.pooled = true;
  Thrown short_read = sync_wait(thrown_by([&]() -> asio::awaitable<void> {
    co_await db->query("SELECT pg_sleep(0.3)", none, shorter);
  }));
  EXPECT_EQ(short_read.status, 400);
  // In a job: the statement fails with the 400; caught, the job goes on.
  bool went_on = false;
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "a", 1);
    try {
      co_await tx.query("SELECT pg_sleep(5)");
    } catch (const core::ApiError& error) {
      went_on = error.status() == 400;
    }
    co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "b", 2);
  }));
  EXPECT_TRUE(went_on);
  EXPECT_EQ(count(*db), 2);
}

// Two jobs that each read what the other writes (write skew): SERIALIZABLE fails one of them
// with 40001, the driver runs it again, and the outcome is that of running them one after
// the other.
TEST_F(PostgresDatabaseTest, ASerializationFailureRunsTheJobAgain) {
  schema_->exec("INSERT INTO t VALUES ('a', 0), ('b', 0)");
  auto db = open();
  std::latch both_read(2);
  std::atomic<int> runs{0};
  auto job = [&](std::string mine, std::string other) {
    return [&, mine, other,
            first = std::make_shared<bool>(true)](Transaction& tx) -> asio::awaitable<void> {
      ++runs;
      ResultSet seen = co_await tx.query("SELECT v FROM t WHERE k = $1", other);
      const std::int64_t value = seen[0].as_int(0);
      if (*first) {  // the first runs of both read before either writes
        *first = false;
        both_read.arrive_and_wait();
      }
      co_await tx.execute("UPDATE t SET v = $1 WHERE k = $2", value + 1, mine);
    };
  };
  testing::CallerThread one;
  testing::CallerThread two;
  auto a = one.spawn(db->write(job("a", "b")));
  auto b = two.spawn(db->write(job("b", "a")));
  one.start();
  two.start();
  a.get();
  b.get();
  one.join();
  two.join();
  // At least one rerun; more when a rerun's snapshot still predates the other's commit.
  EXPECT_GE(runs.load(), 3);
  ResultSet rows = sync_wait(db->query("SELECT v FROM t ORDER BY v"));
  EXPECT_EQ(rows[0].as_int(0), 1);
  EXPECT_EQ(rows[1].as_int(0), 2);
}

TEST_F(PostgresDatabaseTest, ADeadlockRunsTheJobAgain) {
  schema_->exec("INSERT INTO t VALUES ('a', 0), ('b', 0)");
  auto db = open();
  std::latch both_locked(2);
  std::atomic<int> runs{0};
  auto job = [&](std::string first_key, std::string second_key) {
    return [&, first_key, second_key,
            first = std::make_shared<bool>(true)](Transaction& tx) -> asio::awaitable<void> {
      ++runs;
      co_await tx.execute("UPDATE t SET v = v + 1 WHERE k = $1", first_key);
      if (*first) {
        *first = false;
        both_locked.arrive_and_wait();
      }
      co_await tx.execute("UPDATE t SET v = v + 1 WHERE k = $1", second_key);
    };
  };
  testing::CallerThread one;
  testing::CallerThread two;
  auto a = one.spawn(db->write(job("a", "b")));
  auto b = two.spawn(db->write(job("b", "a")));
  one.start();
  two.start();
  a.get();
  b.get();
  one.join();
  two.join();
  EXPECT_GE(runs.load(), 3);
  ResultSet rows = sync_wait(db->query("SELECT v FROM t ORDER BY k"));
  EXPECT_EQ(rows[0].as_int(0), 2);
  EXPECT_EQ(rows[1].as_int(0), 2);
}

// Read-modify-write jobs from two workers at once: none of the increments is lost.
TEST_F(PostgresDatabaseTest, ConcurrentReadModifyWriteJobsLoseNoUpdate) {
  schema_->exec("INSERT INTO t VALUES ('n', 0)");
  auto db = open(std::chrono::seconds(5), {}, 100);
  constexpr int kJobsPerThread = 15;
  auto increments = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < kJobsPerThread; ++i) {
      co_await db->write([&](Transaction& tx) -> asio::awaitable<void> {
        ResultSet rows = co_await tx.query("SELECT v FROM t WHERE k = 'n'");
        const std::int64_t next = rows[0].as_int(0) + 1;
        co_await tx.execute("UPDATE t SET v = $1 WHERE k = 'n'", next);
      });
    }
  };
  testing::CallerThread one;
  testing::CallerThread two;
  auto a = one.spawn(increments());
  auto b = two.spawn(increments());
  one.start();
  two.start();
  a.get();
  b.get();
  one.join();
  two.join();
  EXPECT_EQ(count(*db, "SELECT v FROM t WHERE k = 'n'"), 2 * kJobsPerThread);
}

TEST_F(PostgresDatabaseTest, PastThePoolsWaitersReadsGet503) {
  postgres::PoolLimits pool;
  pool.max_connections = 1;
  pool.max_waiters = 0;
  auto db = open(std::chrono::seconds(5), pool);
  asio::io_context context(1);
  Thrown second;
  auto slow = asio::co_spawn(context, db->query("SELECT pg_sleep(0.2)"), asio::use_future);
  auto refused = asio::co_spawn(
      context, thrown_by([&]() -> asio::awaitable<void> { co_await db->query("SELECT 1"); }),
      asio::use_future);
  context.run();
  slow.get();
  second = refused.get();
  EXPECT_EQ(second.status, 503);
}

// Many reads at once on one worker share its db-pool-size connections: the server never sees
// more client sessions than that, and every read is answered. Only client backends count: a
// parallel worker of one of our statements reports the same application_name.
TEST_F(PostgresDatabaseTest, AWorkersReadsShareAtMostItsPoolsConnections) {
  const std::string name = "pool_bound_" + schema_->name();
  PostgresOptions options;
  options.url = schema_->url() + "&application_name=" + name;
  options.statement_timeout = std::chrono::seconds(5);
  options.pool.max_connections = 2;
  auto db = open_postgres(options, std::make_shared<PostgresDialect>());
  asio::io_context context(1);
  constexpr int kReads = 20;
  int answered = 0;
  std::int64_t most_sessions = 0;
  auto read = [&]() -> asio::awaitable<void> {
    ResultSet rows = co_await db->query(
        "SELECT count(*), pg_sleep(0.02) FROM pg_stat_activity WHERE application_name = $1 AND "
        "backend_type = 'client backend'",
        name);
    most_sessions = std::max(most_sessions, rows[0].as_int(0));
    ++answered;
  };
  std::vector<std::future<void>> reads;
  for (int i = 0; i < kReads; ++i)
    reads.push_back(asio::co_spawn(context, read(), asio::use_future));
  context.run();
  for (auto& done : reads) done.get();
  EXPECT_EQ(answered, kReads);
  EXPECT_GE(most_sessions, 1);
  EXPECT_LE(most_sessions, 2);
}

TEST(PostgresOptionsTest, TheSettingsGiveThePoolItsBounds) {
  core::Config config;
  config.db.statement_timeout = std::chrono::milliseconds(750);
  config.db.pool_size = 7;
  config.db.read_queue = 33;
  const PostgresOptions options = postgres_options(config, "postgresql://x@h/d");
  EXPECT_EQ(options.url, "postgresql://x@h/d");
  EXPECT_EQ(options.statement_timeout, std::chrono::milliseconds(750));
  EXPECT_EQ(options.pool.max_connections, 7u);
  EXPECT_EQ(options.pool.max_waiters, 33u);
  EXPECT_EQ(options.pool.wait_timeout, std::chrono::milliseconds(750));
  // A Config filled by hand keeps the defaults.
  const PostgresOptions defaults = postgres_options(core::Config{}, "u");
  EXPECT_EQ(defaults.pool.max_connections, postgres::PoolLimits{}.max_connections);
  EXPECT_EQ(defaults.pool.max_waiters, postgres::PoolLimits{}.max_waiters);
}

TEST_F(PostgresDatabaseTest, ReadsReconnectAfterTheServerEndedTheSession) {
  auto db = open();
  asio::io_context context(1);  // one worker: one pool, one connection
  std::int64_t first_pid = 0;
  std::int64_t second_pid = 0;
  auto run = [&]() -> asio::awaitable<void> {
    first_pid = (co_await db->query("SELECT pg_backend_pid()"))[0].as_int(0);
    testing::postgres_exec(testing::postgres_test_url(),
                           "SELECT pg_terminate_backend(" + std::to_string(first_pid) + ")");
    second_pid = (co_await db->query("SELECT pg_backend_pid()"))[0].as_int(0);
  };
  auto done = asio::co_spawn(context, run(), asio::use_future);
  context.run();
  done.get();
  EXPECT_NE(first_pid, 0);
  EXPECT_NE(second_pid, first_pid);
}

// A read cancelled while its statement runs (its caller gave up) leaves a connection with an
// answer still due: it is closed, and the next read gets a fresh one.
TEST_F(PostgresDatabaseTest, ACancelledReadsConnectionIsNeverReused) {
  postgres::PoolLimits pool;
  pool.max_connections = 1;
  auto db = open(std::chrono::seconds(5), pool);
  asio::io_context context(1);
  std::int64_t first_pid = 0;
  auto first = asio::co_spawn(context, db->query("SELECT pg_backend_pid()"), asio::use_future);
  context.run();
  first_pid = first.get()[0].as_int(0);
  context.restart();
  asio::cancellation_signal signal;
  Thrown cancelled;
  auto slow = [&]() -> asio::awaitable<void> {
    cancelled = co_await thrown_by(
        [&]() -> asio::awaitable<void> { co_await db->query("SELECT pg_sleep(1)"); });
  };
  asio::co_spawn(context, slow(), asio::bind_cancellation_slot(signal.slot(), asio::detached));
  context.poll();  // the statement is sent; the read now waits for the server's answer
  signal.emit(asio::cancellation_type::terminal);
  context.run();
  context.restart();
  EXPECT_TRUE(cancelled.any);
  auto second = asio::co_spawn(context, db->query("SELECT pg_backend_pid()"), asio::use_future);
  context.run();
  EXPECT_NE(second.get()[0].as_int(0), first_pid);
}

TEST_F(PostgresDatabaseTest, SlowStatementsDoNotHoldTheWorkerThread) {
  auto db = open();
  asio::io_context context(1);
  std::atomic<bool> done{false};
  int ticks = 0;
  auto ticker = [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(context);
    while (!done) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::use_awaitable);
      ++ticks;
    }
  };
  int during_read = 0;
  int during_write = 0;
  auto slow = [&]() -> asio::awaitable<void> {
    int before = ticks;
    co_await db->query("SELECT pg_sleep(0.3)");
    during_read = ticks - before;
    before = ticks;
    co_await db->write([&](Transaction& tx) -> asio::awaitable<void> {
      co_await tx.query("SELECT pg_sleep(0.3)");
    });
    during_write = ticks - before;
    done = true;
  };
  asio::co_spawn(context, ticker(), asio::detached);
  auto finished = asio::co_spawn(context, slow(), asio::use_future);
  context.run();
  finished.get();
  // A blocked thread could run no tick while a statement lasts; the count depends on the load.
  EXPECT_GE(during_read, 1);
  EXPECT_GE(during_write, 1);
}

TEST_F(PostgresDatabaseTest, CommitsMoveTheVersionsOfTheTablesTheyWrote) {
  schema_->exec(
      "CREATE TABLE parents (id text PRIMARY KEY);"
      "CREATE TABLE kids (id text PRIMARY KEY, parent text REFERENCES parents(id) ON DELETE "
      "CASCADE);"
      "CREATE TABLE other (id text);"
      "INSERT INTO parents VALUES ('p'); INSERT INTO kids VALUES ('k', 'p')");
  auto db = open();
  const std::vector<std::string> tables{"kids", "other", "parents", "t"};
  const auto before = db->versions().stamp(tables);
  // A read-only job moves nothing. First, on a connection that has written nothing: a later
  // job may also report what an earlier transaction of its connection wrote, until the
  // session's statistics are flushed (docs/postgres.md, "Data versions").
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.query("SELECT count(*) FROM t");
  }));
  EXPECT_EQ(db->versions().stamp(tables), before);
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute("DELETE FROM parents WHERE id = $1", "p");  // cascades to kids
  }));
  const auto after = db->versions().stamp(tables);
  EXPECT_NE(after[0], before[0]);  // kids, through the cascade
  EXPECT_EQ(after[1], before[1]);  // other
  EXPECT_NE(after[2], before[2]);  // parents
  EXPECT_EQ(after[3], before[3]);  // t
  // A schema change moves everything.
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute("CREATE TABLE fresh (id text)");
  }));
  const auto schema_changed = db->versions().stamp(tables);
  for (std::size_t i = 0; i < tables.size(); ++i) EXPECT_NE(schema_changed[i], after[i]);
}

TEST_F(PostgresDatabaseTest, ReadSetsNameTheRelationsAStatementReads) {
  schema_->exec(
      "CREATE TABLE \"Posts\" (id text, author text); CREATE TABLE users (id text, name text);"
      "CREATE VIEW active AS SELECT id FROM users");
  auto db = open();
  ReadSet reads = db->read_set(
      "SELECT count(*) FROM \"Posts\" p WHERE p.author IN (SELECT id FROM users WHERE name = "
      "'t') -- not a table: kids");
  EXPECT_EQ(reads.tables, (std::vector<std::string>{"posts", "users"}));
  EXPECT_TRUE(reads.cacheable);
  reads = db->read_set("SELECT id FROM active");
  EXPECT_FALSE(reads.cacheable);
  // A table created by a job is known as soon as the job returns.
  EXPECT_TRUE(db->read_set("SELECT * FROM later").tables.empty());
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute("CREATE TABLE later (id text)");
  }));
  EXPECT_EQ(db->read_set("SELECT * FROM later").tables, (std::vector<std::string>{"later"}));
}

TEST_F(PostgresDatabaseTest, DescribeTracesColumnsThroughSubqueriesAndViews) {
  schema_->exec(
      "CREATE TABLE posts (id text, title text, author text);"
      "CREATE VIEW titles AS SELECT p.id AS pid, upper(p.title) AS loud, p.title FROM posts p;"
      "CREATE VIEW deeper AS SELECT * FROM titles");
  auto db = open();
  const std::vector<ColumnOrigin> expected{
      {"pid", "posts", "id"}, {"loud", "", ""}, {"title", "posts", "title"}};
  auto same = [](const std::vector<ColumnOrigin>& got, const std::vector<ColumnOrigin>& want) {
    if (got.size() != want.size()) return false;
    for (std::size_t i = 0; i < got.size(); ++i) {
      if (got[i].name != want[i].name || got[i].table != want[i].table ||
          got[i].column != want[i].column) {
        return false;
      }
    }
    return true;
  };
  EXPECT_TRUE(same(db->describe("SELECT * FROM (\nSELECT * FROM deeper\n) AS v"), expected));
  std::vector<ColumnOrigin> in_job;
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    in_job = co_await tx.describe("SELECT * FROM titles");
    // A text that does not prepare fails alone; the job goes on.
    try {
      co_await tx.describe("SELECT * FROM nowhere");
    } catch (const DatabaseError&) {
    }
    co_await tx.execute("INSERT INTO t VALUES ($1, $2)", "after", 1);
  }));
  EXPECT_TRUE(same(in_job, expected));
  EXPECT_EQ(count(*db), 1);
  EXPECT_THROW(db->describe("SELECT * FROM nowhere"), DatabaseError);
  // Kept answers go with a schema change made through the database.
  sync_wait(db->write([&](Transaction& tx) -> asio::awaitable<void> {
    co_await tx.execute(
        "CREATE OR REPLACE VIEW titles AS SELECT p.author AS pid, upper(p.title) AS loud, "
        "p.title FROM posts p");
  }));
  const std::vector<ColumnOrigin> changed{
      {"pid", "posts", "author"}, {"loud", "", ""}, {"title", "posts", "title"}};
  EXPECT_TRUE(same(db->describe("SELECT * FROM (\nSELECT * FROM deeper\n) AS v"), changed));
}

// Not a test: the figures of docs/postgres.md ("Figures"). Run by hand with
// --gtest_also_run_disabled_tests --gtest_filter='*Figures*'.
TEST_F(PostgresDatabaseTest, DISABLED_Figures) {
  schema_->exec("INSERT INTO t SELECT 'k' || i, i FROM generate_series(1, 1000) i");
  auto db = open();
  constexpr int kReads = 5000;
  constexpr int kWrites = 1000;
  auto reads = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < kReads; ++i) {
      const std::string key = "k" + std::to_string(i % 1000 + 1);
      co_await db->query("SELECT k, v FROM t WHERE k = $1", key);
    }
  };
  auto writes = [&]() -> asio::awaitable<void> {
    for (int i = 0; i < kWrites; ++i) {
      const std::string key = "k" + std::to_string(i % 1000 + 1);
      co_await db->write([&](Transaction& tx) -> asio::awaitable<void> {
        co_await tx.execute("UPDATE t SET v = v + 1 WHERE k = $1", key);
      });
    }
  };
  auto timed = [](auto&& body) {
    const auto start = std::chrono::steady_clock::now();
    body();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
        .count();
  };
  const double read_us = timed([&] { sync_wait(reads()); }) / kReads;
  const double write_us = timed([&] { sync_wait(writes()); }) / kWrites;
  const double two_threads_us = timed([&] {
    testing::CallerThread one;
    testing::CallerThread two;
    auto a = one.spawn(reads());
    auto b = two.spawn(reads());
    one.start();
    two.start();
    a.get();
    b.get();
    one.join();
    two.join();
  });
  std::printf("point read: %.1f us; write job (one UPDATE): %.1f us; reads on 2 threads: %.0f/s\n",
              read_us, write_us, 2 * kReads / (two_threads_us / 1e6));
}

TEST_F(PostgresDatabaseTest, SnapshotsAreNotSupported) {
  auto db = open();
  EXPECT_THROW(db->copy_snapshot("/tmp/never", nullptr), DatabaseError);
}

TEST_F(PostgresDatabaseTest, AnUnreachableServerFailsToOpen) {
  PostgresOptions options;
  options.url = "postgresql://basalt:secret@127.0.0.1:1/none";
  options.statement_timeout = std::chrono::seconds(1);
  try {
    open_postgres(options, std::make_shared<PostgresDialect>());
    FAIL() << "opened";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos);
  }
}

}  // namespace
}  // namespace basalt::db
