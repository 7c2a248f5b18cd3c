// WAL checkpoints (writer.hpp, invariant 9): the write connection never checkpoints on its own,
// the Checkpointer copies the WAL back when the writer asks, and past the limit the writer
// does it itself, so the WAL stays bounded. The WAL file's size shows it: a WAL fully copied
// back is started over by the next commit instead of growing.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "basalt/db/data_versions.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/sqlite/writer.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db {
namespace {

using boost::asio::awaitable;
using testing::sync_wait;

constexpr int kCommits = 60;
constexpr int kNever = 1 << 30;  // pages: a limit no test reaches
// A WAL frame is a page plus its 24-byte header; the WAL file has a 32-byte header.
constexpr std::uintmax_t kFrameBytes = 4096 + 24;

class CheckpointTest : public ::testing::Test {
 protected:
  std::string path() const { return (dir_.path() / "data.db").string(); }
  std::uintmax_t wal_frames() const {
    return (std::filesystem::file_size(dir_.path() / "data.db-wal") - 32) / kFrameBytes;
  }
  sqlite::ConnectionOptions connection() const {
    sqlite::ConnectionOptions options;
    options.statement_timeout = std::chrono::milliseconds(5000);
    options.cache_bytes = 1 << 20;
    options.statement_cache_capacity = 16;
    return options;
  }
  static void run(sqlite::Writer& writer, std::string sql) {
    sync_wait(writer.submit(
        [sql = std::move(sql)](Transaction& tx) -> awaitable<void> { co_await tx.execute(sql); }));
  }
  static void create_table(sqlite::Writer& writer) {
    run(writer, "CREATE TABLE t (n INTEGER PRIMARY KEY, text TEXT)");
  }
  // One commit of about one page of new rows.
  static void insert(sqlite::Writer& writer, int n) {
    run(writer, "INSERT INTO t (n, text) VALUES (" + std::to_string(n) + ", zeroblob(3000))");
  }

  testing::TempDir dir_;
  DataVersions versions_;
};

TEST_F(CheckpointTest, WriteConnectionHasNoAutoCheckpoint) {
  SqliteOptions options;
  options.data_dir = dir_.str();
  options.statement_timeout = std::chrono::milliseconds(5000);
  auto db = open_sqlite(options);
  std::int64_t pages = -1;
  sync_wait(db->write([&](Transaction& tx) -> awaitable<void> {
    pages = (co_await tx.query("PRAGMA wal_autocheckpoint"))[0].as_int(0);
  }));
  EXPECT_EQ(pages, 0);
}

TEST_F(CheckpointTest, WithoutCheckpointsTheWalGrows) {
  // The control for the two tests below: nobody checkpoints, every commit adds frames.
  sqlite::Writer writer(path(), connection(), 16, versions_, {kNever, kNever});
  create_table(writer);
  for (int i = 0; i < kCommits; ++i) insert(writer, i);
  EXPECT_GE(wal_frames(), static_cast<std::uintmax_t>(kCommits));
}

TEST_F(CheckpointTest, CheckpointerCopiesTheWalBackWhenAsked) {
  sqlite::Writer writer(path(), connection(), 16, versions_, {1, kNever});
  create_table(writer);
  writer.checkpointer().wait_completed(1);
  for (int i = 0; i < kCommits; ++i) {
    insert(writer, i);
    // Each commit asks for one checkpoint after the one before it ran: none coalesce.
    writer.checkpointer().wait_completed(static_cast<std::uint64_t>(i) + 2);
  }
  EXPECT_LT(wal_frames(), 8u);
}

TEST_F(CheckpointTest, WriterCheckpointsItselfPastTheLimit) {
  sqlite::Writer writer(path(), connection(), 16, versions_, {kNever, 4});
  create_table(writer);
  for (int i = 0; i < kCommits; ++i) insert(writer, i);
  EXPECT_EQ(writer.checkpointer().completed(), 0u);
  EXPECT_LT(wal_frames(), 8u);
}

TEST_F(CheckpointTest, WriterCheckpointsPastTheLimitWhileTheCheckpointerIsBusy) {
  // The checkpointer is asked after every commit, so it often holds SQLite's checkpoint lock
  // when the writer needs its own checkpoint: the writer pauses it first (a second checkpoint
  // would be refused at once), so the limit holds all the same.
  sqlite::Writer writer(path(), connection(), 16, versions_, {1, 4});
  create_table(writer);
  for (int i = 0; i < kCommits; ++i) insert(writer, i);
  EXPECT_LT(wal_frames(), 8u);
}

}  // namespace
}  // namespace basalt::db
