// apply_migrations: ordered, each once, atomic, and stopping at the first failure.
#include "basalt/db/migrations.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db {
namespace {

using boost::asio::awaitable;
using Names = std::vector<std::string>;
using testing::sync_wait;

WriteJob run_sql(std::string sql) {
  return [sql = std::move(sql)](Transaction& tx) -> awaitable<void> { co_await tx.execute(sql); };
}

class MigrationsTest : public ::testing::Test {
 protected:
  MigrationsTest() {
    SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = std::chrono::seconds(5);
    options.cache_bytes = 2 << 20;
    db_ = open_sqlite(options);
  }

  Names apply(const std::vector<Migration>& migrations) {
    return sync_wait(apply_migrations(*db_, migrations));
  }

  Names recorded() {
    Names names;
    for (ResultSet::Row row :
         sync_wait(db_->query("SELECT file FROM _migrations ORDER BY rowid"))) {
      names.emplace_back(row.as_text(0));
    }
    return names;
  }

  bool table_exists(std::string name) {
    return !sync_wait(db_->query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                                 {std::move(name)}))
                .empty();
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(MigrationsTest, AppliesInOrderOnceEach) {
  std::vector<Migration> migrations{
      {"001_params", run_sql("CREATE TABLE _params (id TEXT PRIMARY KEY, value TEXT)")},
      // Depends on the first: order matters.
      {"002_seed", run_sql("INSERT INTO _params (id, value) VALUES ('settings', '{}')")},
  };
  EXPECT_EQ(apply(migrations), (Names{"001_params", "002_seed"}));
  EXPECT_EQ(recorded(), (Names{"001_params", "002_seed"}));
  ResultSet applied = sync_wait(db_->query("SELECT applied FROM _migrations"));
  EXPECT_GT(applied[0].as_int(0), 0);

  EXPECT_EQ(apply(migrations), Names{});  // a no-op the second time
  EXPECT_EQ(sync_wait(db_->query("SELECT count(*) FROM _params"))[0].as_int(0), 1);

  migrations.push_back({"003_more", run_sql("CREATE TABLE _more (id TEXT)")});
  EXPECT_EQ(apply(migrations), Names{"003_more"});  // only the new step
  EXPECT_EQ(recorded(), (Names{"001_params", "002_seed", "003_more"}));
}

TEST_F(MigrationsTest, AFailingMigrationLeavesNothingAndStops) {
  std::vector<Migration> migrations{
      {"001_ok", run_sql("CREATE TABLE one (id TEXT)")},
      {"002_broken",
       [](Transaction& tx) -> awaitable<void> {
         co_await tx.execute("CREATE TABLE two (id TEXT)");
         co_await tx.execute("INSERT INTO two (id) VALUES ('half done')");
         throw std::runtime_error("step two cannot finish");
       }},
      {"003_never", run_sql("CREATE TABLE three (id TEXT)")},
  };
  try {
    apply(migrations);
    FAIL() << "the broken migration must stop the run";
  } catch (const DatabaseError& error) {
    EXPECT_STREQ(error.what(), "migration 002_broken failed: step two cannot finish");
  }
  EXPECT_TRUE(table_exists("one"));
  EXPECT_FALSE(table_exists("two"));
  EXPECT_FALSE(table_exists("three"));
  EXPECT_EQ(recorded(), Names{"001_ok"});

  migrations[1].apply = run_sql("CREATE TABLE two (id TEXT)");  // fixed in the next release
  EXPECT_EQ(apply(migrations), (Names{"002_broken", "003_never"}));
  EXPECT_TRUE(table_exists("two"));
  EXPECT_TRUE(table_exists("three"));
}

TEST_F(MigrationsTest, DuplicateNamesAreRefused) {
  std::vector<Migration> migrations{{"001", run_sql("CREATE TABLE a (id TEXT)")},
                                    {"001", run_sql("CREATE TABLE b (id TEXT)")}};
  EXPECT_THROW(apply(migrations), std::invalid_argument);
  EXPECT_FALSE(table_exists("a"));
}

}  // namespace
}  // namespace basalt::db
