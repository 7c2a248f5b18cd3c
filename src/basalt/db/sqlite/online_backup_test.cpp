// The online snapshot (online_backup.hpp, writer.hpp invariant 10): a copy taken while commits
// go on holds exactly the commits made before it began, is a sound database, never restarts,
// and never makes the writer wait for it.
#include "basalt/db/sqlite/online_backup.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db {
namespace {

using boost::asio::awaitable;
using testing::sync_wait;

class OnlineBackupTest : public ::testing::Test {
 protected:
  std::unique_ptr<Database> open(std::chrono::milliseconds timeout, int wal_limit_pages = 4096) {
    SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = timeout;
    options.wal_checkpoint_pages = std::min(1000, wal_limit_pages);
    options.wal_limit_pages = wal_limit_pages;
    return open_sqlite(options);
  }
  static void run(Database& db, std::string sql) {
    sync_wait(db.write(
        [sql = std::move(sql)](Transaction& tx) -> awaitable<void> { co_await tx.execute(sql); }));
  }
  static void insert(Database& db, int n) {
    run(db, "INSERT INTO t (n, text) VALUES (" + std::to_string(n) + ", zeroblob(3000))");
  }
  // One column of one row of the database file at `path`, read with a fresh connection.
  static std::string scalar(const std::string& path, const std::string& sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(raw, sql.c_str(), -1, &statement, nullptr), SQLITE_OK);
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW) {
      value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
    }
    sqlite3_finalize(statement);
    sqlite3_close_v2(raw);
    return value;
  }
  std::string source() const { return (dir_.path() / "data.db").string(); }
  std::string target() const { return (copies_.path() / "copy.db").string(); }

  testing::TempDir dir_;
  testing::TempDir copies_;
};

TEST_F(OnlineBackupTest, CopyHoldsTheCommitsMadeBeforeItBeganWhileWritesGoOn) {
  auto db = open(std::chrono::milliseconds(5000));
  run(*db, "CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT)");
  constexpr int kBefore = 200;  // ~200 pages: a copy of one page per step takes ~200 steps
  for (int n = 0; n < kBefore; ++n) insert(*db, n);

  int steps = 0;
  int next = kBefore;
  sqlite::SnapshotOptions options;
  options.pages_per_step = 1;
  // Called between steps: a commit there changes the source under the copy. A copy that
  // restarted on each change would never end; the bound turns that into a failure.
  options.cancelled = [&] {
    if (++steps > 10 * kBefore) return true;
    insert(*db, next++);
    return false;
  };
  sqlite::copy_snapshot(source(), target(), options);

  EXPECT_GT(next - kBefore, 100);  // commits really happened during the copy
  EXPECT_EQ(scalar(target(), "SELECT count(*) FROM t"), std::to_string(kBefore));
  EXPECT_EQ(scalar(target(), "SELECT max(n) FROM t"), std::to_string(kBefore - 1));
  EXPECT_EQ(scalar(target(), "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(scalar(source(), "SELECT count(*) FROM t"), std::to_string(next));
}

TEST_F(OnlineBackupTest, CancelledCopyLeavesNoFile) {
  auto db = open(std::chrono::milliseconds(5000));
  run(*db, "CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT)");
  for (int n = 0; n < 20; ++n) insert(*db, n);
  sqlite::SnapshotOptions options;
  options.pages_per_step = 1;
  int steps = 0;
  options.cancelled = [&] { return ++steps > 3; };
  EXPECT_THROW(sqlite::copy_snapshot(source(), target(), options), DatabaseError);
  EXPECT_FALSE(std::filesystem::exists(target()));
}

TEST_F(OnlineBackupTest, RefusesAnExistingTarget) {
  auto db = open(std::chrono::milliseconds(5000));
  run(*db, "CREATE TABLE t (n INTEGER PRIMARY KEY)");
  { std::ofstream(target()) << "keep me"; }
  EXPECT_THROW(db->copy_snapshot(target(), nullptr), DatabaseError);
  EXPECT_EQ(std::filesystem::file_size(target()), 7u);
}

// Commits past the WAL limit while a snapshot is read: without the hold, each would run a
// RESTART checkpoint waiting the whole busy timeout (here 100 s, so the test would time out)
// for the snapshot's reader. With it they go through.
TEST_F(OnlineBackupTest, WriterDoesNotWaitForTheSnapshotsReader) {
  auto db = open(std::chrono::seconds(100), /*wal_limit_pages=*/4);
  run(*db, "CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT)");
  for (int n = 0; n < 50; ++n) insert(*db, n);
  int commits = 0;
  db->copy_snapshot(target(), [&] {
    // Database::copy_snapshot copies 1024 pages a step: this runs before the first step, with
    // the read transaction already open.
    for (int i = 0; i < 20; ++i) insert(*db, 1000 + commits++);
    return false;
  });
  EXPECT_EQ(commits, 20);
  EXPECT_EQ(scalar(target(), "SELECT count(*) FROM t"), "50");
  EXPECT_EQ(scalar(source(), "SELECT count(*) FROM t"), "70");
}

}  // namespace
}  // namespace basalt::db
