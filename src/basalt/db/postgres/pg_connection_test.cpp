// PgConnection against the real test server (BASALT_TEST_POSTGRES_URL).
#include "basalt/db/postgres/pg_connection.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/db/testing/postgres_server.hpp"
#include "basalt/db/testing/sync_wait.hpp"

namespace basalt::db::postgres {
namespace {

namespace asio = boost::asio;
using db::testing::PostgresSchema;
using db::testing::sync_wait;

std::shared_ptr<const ConnectionSettings> settings_for(
    const PostgresSchema& schema, std::chrono::milliseconds timeout = std::chrono::seconds(5),
    std::size_t cache = 128) {
  ConnectionSettings settings = connection_settings(schema.url(), timeout);
  settings.statement_cache_capacity = cache;
  return std::make_shared<const ConnectionSettings>(std::move(settings));
}

// Runs `body` with a fresh connection on a fresh io_context.
template <typename Body>
auto with_connection(std::shared_ptr<const ConnectionSettings> settings, Body body) {
  return sync_wait([](auto settings, Body body) -> asio::awaitable<void> {
    std::unique_ptr<PgConnection> connection = co_await PgConnection::open(settings);
    co_await body(*connection);
  }(std::move(settings), std::move(body)));
}

class PgConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BASALT_REQUIRE_POSTGRES();
    schema_ = std::make_unique<PostgresSchema>();
  }
  std::unique_ptr<PostgresSchema> schema_;
};

TEST_F(PgConnectionTest, ValuesComeBackByColumnType) {
  with_connection(settings_for(*schema_), [](PgConnection& c) -> asio::awaitable<void> {
    const StatementRun plain;
    const Params params{std::int64_t{7}, 2.5, std::string("text"), Blob{std::string("\0\x01", 2)},
                        nullptr};
    ResultSet rows = co_await c.run(
        "SELECT $1::int8 AS i, $2::float8 AS d, $3::text AS t, $4::bytea AS b, $5::int4 AS n, "
        "true AS yes, '{\"a\":1}'::jsonb AS j, 3::int2 AS s, 10::numeric / 4 AS q",
        params, plain);
    EXPECT_EQ(rows.columns(),
              (std::vector<std::string>{"i", "d", "t", "b", "n", "yes", "j", "s", "q"}));
    EXPECT_EQ(rows.size(), 1u);
    if (rows.size() != 1) co_return;
    EXPECT_EQ(rows[0].as_int(0), 7);
    EXPECT_EQ(rows[0].as_double(1), 2.5);
    EXPECT_EQ(rows[0].as_text(2), "text");
    EXPECT_EQ(rows[0][3], Value(Blob{std::string("\0\x01", 2)}));
    EXPECT_TRUE(rows[0].is_null(4));
    EXPECT_EQ(rows[0].as_int(5), 1);
    EXPECT_EQ(rows[0].as_text(6), "{\"a\": 1}");
    EXPECT_EQ(rows[0].as_int(7), 3);
    EXPECT_EQ(rows[0].as_double(8), 2.5);
  });
}

TEST_F(PgConnectionTest, StatementsArePreparedOnceAndEvictedOnesDeallocated) {
  with_connection(
      settings_for(*schema_, std::chrono::seconds(5), 2),
      [](PgConnection& c) -> asio::awaitable<void> {
        const StatementRun plain;
        const Params none;
        co_await c.run("SELECT 1", none, plain);
        co_await c.run("SELECT 1", none, plain);
        EXPECT_EQ(c.prepared_statements(), 1u);
        co_await c.run("SELECT 2", none, plain);
        co_await c.run("SELECT 3", none, plain);  // evicts SELECT 1
        EXPECT_EQ(c.prepared_statements(), 2u);
        // The next call deallocates the evicted statement on the server first.
        ResultSet rows = co_await c.run("SELECT count(*) FROM pg_prepared_statements", none, plain);
        // SELECT 1 is gone; SELECT 2 and 3 and this one are there (SELECT 2 is evicted by this
        // one, and deallocated at the next call).
        EXPECT_EQ(rows[0].as_int(0), 3);
        rows = co_await c.run("SELECT count(*) FROM pg_prepared_statements", none, plain);
        EXPECT_EQ(rows[0].as_int(0), 2);
      });
}

TEST_F(PgConnectionTest, TextWithTwoStatementsIsRefused) {
  with_connection(settings_for(*schema_), [](PgConnection& c) -> asio::awaitable<void> {
    const StatementRun plain;
    const Params none;
    bool refused = false;
    try {
      co_await c.run("SELECT 1; SELECT 2", none, plain);
    } catch (const DatabaseError& error) {
      refused = std::string(error.what()).find("multiple commands") != std::string::npos;
    }
    EXPECT_TRUE(refused);
    EXPECT_FALSE(c.broken());
    ResultSet rows = co_await c.run("SELECT 5", none, plain);
    EXPECT_EQ(rows[0].as_int(0), 5);
  });
}

TEST_F(PgConnectionTest, ConstraintViolationsAreConstraintErrors) {
  schema_->exec(
      "CREATE TABLE parents (id text PRIMARY KEY);"
      "CREATE TABLE kids (id text PRIMARY KEY, email text NOT NULL, parent text REFERENCES "
      "parents(id), n int CHECK (n > 0));"
      "CREATE UNIQUE INDEX kids_email ON kids (email)");
  with_connection(settings_for(*schema_), [](PgConnection& c) -> asio::awaitable<void> {
    StatementRun write;
    write.begin = "BEGIN READ WRITE";
    const Params first{std::string("k1"), std::string("a@x"), nullptr, std::int64_t{1}};
    co_await c.run("INSERT INTO kids VALUES ($1, $2, $3, $4)", first, write);
    std::vector<std::string> commit{"COMMIT"};
    co_await c.run_texts(commit);
    struct Case {
      Params params;
      ConstraintKind kind;
      std::vector<std::string> columns;
      std::string constraint;
    };
    std::vector<Case> cases;
    cases.push_back({{std::string("k2"), std::string("a@x"), nullptr, std::int64_t{1}},
                     ConstraintKind::kUnique,
                     {"kids.email"},
                     "kids_email"});
    cases.push_back({{std::string("k1"), std::string("b@x"), nullptr, std::int64_t{1}},
                     ConstraintKind::kUnique,
                     {"kids.id"},
                     "kids_pkey"});
    cases.push_back({{std::string("k3"), nullptr, nullptr, std::int64_t{1}},
                     ConstraintKind::kNotNull,
                     {"kids.email"},
                     ""});
    cases.push_back(
        {{std::string("k4"), std::string("c@x"), std::string("nobody"), std::int64_t{1}},
         ConstraintKind::kForeignKey,
         {},
         "kids_parent_fkey"});
    cases.push_back({{std::string("k5"), std::string("d@x"), nullptr, std::int64_t{0}},
                     ConstraintKind::kCheck,
                     {},
                     "kids_n_check"});
    for (const Case& each : cases) {
      std::optional<ConstraintError> caught;
      try {
        co_await c.run("INSERT INTO kids VALUES ($1, $2, $3, $4)", each.params, write);
      } catch (const ConstraintError& error) {
        caught = error;
      }
      std::vector<std::string> rollback{"ROLLBACK"};
      co_await c.run_texts(rollback);
      EXPECT_TRUE(caught) << static_cast<int>(each.kind);
      if (!caught) continue;
      EXPECT_EQ(caught->kind(), each.kind);
      EXPECT_EQ(caught->columns(), each.columns);
      EXPECT_EQ(caught->constraint(), each.constraint);
    }
  });
}

TEST_F(PgConnectionTest, StatementTimeoutIsThe400AndTheConnectionStaysUsable) {
  with_connection(settings_for(*schema_, std::chrono::milliseconds(200)),
                  [](PgConnection& c) -> asio::awaitable<void> {
                    const StatementRun plain;
                    const Params none;
                    int status = 0;
                    try {
                      co_await c.run("SELECT pg_sleep(5)", none, plain);
                    } catch (const core::ApiError& error) {
                      status = error.status();
                    }
                    EXPECT_EQ(status, 400);
                    // A larger budget for one read lets the same statement finish.
                    StatementRun longer;
                    longer.budget = std::chrono::seconds(5);
                    ResultSet rows = co_await c.run("SELECT pg_sleep(0.3), 1", none, longer);
                    EXPECT_EQ(rows[0].as_int(1), 1);
                    // And the session's own budget is back for the next one.
                    rows =
                        co_await c.run("SELECT current_setting('statement_timeout')", none, plain);
                    EXPECT_EQ(rows[0].as_text(0), "200ms");
                  });
}

TEST_F(PgConnectionTest, ReadsCannotWrite) {
  schema_->exec("CREATE TABLE t (a int)");
  with_connection(settings_for(*schema_), [](PgConnection& c) -> asio::awaitable<void> {
    const StatementRun plain;
    const Params none;
    bool refused = false;
    try {
      co_await c.run("INSERT INTO t VALUES (1)", none, plain);
    } catch (const DatabaseError& error) {
      refused = std::string(error.what()).find("read-only") != std::string::npos;
    }
    EXPECT_TRUE(refused);
  });
}

// JIT compiling cost seconds per filter statement (docs/postgres.md, "Speed"): sessions start
// without it, and a URL's own options still decide.
TEST_F(PgConnectionTest, SessionsRunWithoutJitUnlessTheUrlAsksForIt) {
  auto jit_of = [](std::shared_ptr<const ConnectionSettings> settings) {
    std::string jit;
    with_connection(std::move(settings), [&jit](PgConnection& c) -> asio::awaitable<void> {
      const StatementRun plain;
      const Params none;
      ResultSet rows = co_await c.run("SELECT current_setting('jit')", none, plain);
      jit = std::string(rows[0].as_text(0));
    });
    return jit;
  };
  EXPECT_EQ(jit_of(settings_for(*schema_)), "off");
  const std::string url = schema_->url() + "%20-cjit%3Don";
  auto asking =
      std::make_shared<const ConnectionSettings>(connection_settings(url, std::chrono::seconds(5)));
  EXPECT_EQ(jit_of(asking), "on");
}

TEST_F(PgConnectionTest, ASlowStatementDoesNotBlockItsThread) {
  // The io_context's other work (a timer ticking every 10 ms) goes on while the server sleeps.
  auto settings = settings_for(*schema_);
  asio::io_context context(1);
  std::atomic<int> ticks{0};
  std::atomic<bool> done{false};
  auto ticker = [&]() -> asio::awaitable<void> {
    asio::steady_timer timer(context);
    while (!done) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(asio::use_awaitable);
      ++ticks;
    }
  };
  int ticks_during = -1;
  auto slow = [&]() -> asio::awaitable<void> {
    const StatementRun plain;
    std::unique_ptr<PgConnection> c = co_await PgConnection::open(settings);
    const Params none;
    const int before = ticks;
    co_await c->run("SELECT pg_sleep(0.5)", none, plain);
    ticks_during = ticks - before;
    done = true;
  };
  asio::co_spawn(context, ticker(), asio::detached);
  auto result = asio::co_spawn(context, slow(), asio::use_future);
  context.run();
  result.get();
  // A thread blocked in the statement could run no tick at all while it lasts; how many ran
  // depends on the machine's load, so only "some" is asserted.
  EXPECT_GE(ticks_during, 1);
}

TEST_F(PgConnectionTest, ATerminatedSessionIsBrokenAndSaysSo) {
  auto settings = settings_for(*schema_);
  with_connection(settings, [&](PgConnection& c) -> asio::awaitable<void> {
    const StatementRun plain;
    EXPECT_TRUE(c.usable());
    db::testing::postgres_exec(
        db::testing::postgres_test_url(),
        "SELECT pg_terminate_backend(" + std::to_string(c.backend_pid()) + ")");
    // The server's FATAL arrives on its own; a statement sent now fails as connection lost.
    const Params none;
    bool lost = false;
    try {
      co_await c.run("SELECT 1", none, plain);
    } catch (const DatabaseError& error) {
      lost = true;
      (void)error;
    }
    EXPECT_TRUE(lost);
    EXPECT_TRUE(c.broken());
    EXPECT_FALSE(c.usable());
  });
}

TEST_F(PgConnectionTest, AHostNameIsResolvedBeforeConnecting) {
  // The test URL names 127.0.0.1; "localhost" goes through the asynchronous lookup.
  std::string url = schema_->url();
  const auto at = url.find("127.0.0.1");
  ASSERT_NE(at, std::string::npos);
  url.replace(at, std::string("127.0.0.1").size(), "localhost");
  ConnectionSettings settings = connection_settings(url, std::chrono::seconds(5));
  auto shared = std::make_shared<const ConnectionSettings>(std::move(settings));
  with_connection(shared, [](PgConnection& c) -> asio::awaitable<void> {
    const StatementRun plain;
    const Params none;
    ResultSet rows = co_await c.run("SELECT 1", none, plain);
    EXPECT_EQ(rows[0].as_int(0), 1);
  });
  ConnectionSettings nowhere =
      connection_settings("postgresql://basalt@no-such-host.invalid/x", std::chrono::seconds(5));
  auto unknown = std::make_shared<const ConnectionSettings>(std::move(nowhere));
  EXPECT_THROW(sync_wait(PgConnection::open(unknown)), DatabaseError);
}

TEST_F(PgConnectionTest, AnUnreachableServerFailsToOpen) {
  ConnectionSettings settings =
      connection_settings("postgresql://basalt@127.0.0.1:1/none", std::chrono::seconds(1));
  auto shared = std::make_shared<const ConnectionSettings>(std::move(settings));
  EXPECT_THROW(sync_wait(PgConnection::open(shared)), DatabaseError);
}

TEST(PgConnectionSettingsTest, BadUrlsAreRefusedWithoutEchoingThem) {
  try {
    connection_settings("postgresql://user:secret@host/db?nosuchoption=1", std::chrono::seconds(1));
    FAIL() << "accepted";
  } catch (const DatabaseError& error) {
    EXPECT_EQ(std::string(error.what()).find("secret"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace basalt::db::postgres
