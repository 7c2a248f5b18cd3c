// DataVersions on its own, then as the SQLite backend keeps it: which commits move which
// tables' versions, and which tables a statement reads.
#include "basalt/db/data_versions.hpp"

#include <gtest/gtest.h>

#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::db {
namespace {

using boost::asio::awaitable;
using testing::sync_wait;

const std::vector<std::string> kPosts{"posts"};
const std::vector<std::string> kUsers{"users"};

TEST(DataVersions, BumpMovesOnlyTheTablesNamed) {
  DataVersions versions;
  const auto posts = versions.stamp(kPosts);
  const auto users = versions.stamp(kUsers);
  versions.bump(kUsers);
  EXPECT_EQ(versions.stamp(kPosts), posts);
  EXPECT_NE(versions.stamp(kUsers), users);
}

TEST(DataVersions, BumpAllMovesEveryTableIncludingUnseenOnes) {
  DataVersions versions;
  versions.bump(kPosts);
  const auto posts = versions.stamp(kPosts);
  const auto users = versions.stamp(kUsers);
  versions.bump_all();
  EXPECT_NE(versions.stamp(kPosts), posts);
  EXPECT_NE(versions.stamp(kUsers), users);
  // A table bumped before the bump_all can never come back to a stamp taken before it.
  versions.bump(kUsers);
  EXPECT_NE(versions.stamp(kPosts), posts);
}

TEST(DataVersions, TableKeysIgnoreAsciiCase) {
  EXPECT_EQ(table_key("My_Posts"), "my_posts");
}

class TrackedVersionsTest : public ::testing::Test {
 protected:
  TrackedVersionsTest() {
    SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = std::chrono::seconds(5);
    db_ = open_sqlite(options);
    execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, author INTEGER, title TEXT)");
    execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
    execute(
        "CREATE TABLE comments (id INTEGER PRIMARY KEY, post INTEGER REFERENCES posts(id) "
        "ON DELETE CASCADE) WITHOUT ROWID");
    execute(
        "CREATE TABLE likes (id INTEGER PRIMARY KEY, post INTEGER REFERENCES posts(id) ON "
        "DELETE CASCADE)");
    execute("INSERT INTO posts (id, author, title) VALUES (1, 1, 'a'), (2, 1, 'b')");
    execute("INSERT INTO users (id, name) VALUES (1, 'ann')");
  }

  void execute(std::string sql) {
    sync_wait(db_->write([&](Transaction& tx) -> awaitable<void> { co_await tx.execute(sql); }));
  }

  std::vector<std::uint64_t> stamp(const std::vector<std::string>& tables) const {
    return db_->versions().stamp(tables);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(TrackedVersionsTest, AWriteToAnotherTableKeepsTheVersion) {
  const auto posts = stamp(kPosts);
  execute("UPDATE users SET name = 'bob'");
  EXPECT_EQ(stamp(kPosts), posts);
}

TEST_F(TrackedVersionsTest, AWriteToTheTableMovesItsVersion) {
  for (const char* sql :
       {"INSERT INTO posts (id, author, title) VALUES (3, 1, 'c')",
        "UPDATE posts SET title = 'x' WHERE id = 1", "DELETE FROM posts WHERE id = 2"}) {
    const auto posts = stamp(kPosts);
    execute(sql);
    EXPECT_NE(stamp(kPosts), posts) << sql;
  }
}

TEST_F(TrackedVersionsTest, AnUpdateMatchingNoRowKeepsTheVersion) {
  const auto posts = stamp(kPosts);
  execute("UPDATE posts SET title = 'x' WHERE id = 99");
  EXPECT_EQ(stamp(kPosts), posts);
}

TEST_F(TrackedVersionsTest, ACascadeMovesTheTablesItReaches) {
  execute("INSERT INTO likes (id, post) VALUES (1, 1)");
  const auto likes = stamp({"likes"});
  execute("DELETE FROM posts WHERE id = 1");
  EXPECT_NE(stamp({"likes"}), likes);
}

TEST_F(TrackedVersionsTest, WritesTheHookCannotNameMoveEveryTable) {
  // A WITHOUT ROWID table is invisible to the update hook; so is a DELETE without WHERE
  // (SQLite's truncate optimization).
  for (const char* sql : {"INSERT INTO comments (id, post) VALUES (1, 2)", "DELETE FROM users"}) {
    const auto posts = stamp(kPosts);
    execute(sql);
    EXPECT_NE(stamp(kPosts), posts) << sql;
  }
}

TEST_F(TrackedVersionsTest, SchemaChangesMoveEveryTable) {
  // Each commit reads the schema version through one kept statement: it must see every change,
  // the second one too, and plain writes after one must not look like one. (The first write
  // after a schema change refreshes the planner statistics, which is a schema change of its
  // own; the writes after it are plain.)
  for (const char* ddl :
       {"CREATE TABLE other (id INTEGER PRIMARY KEY)", "CREATE TABLE another (id INTEGER)"}) {
    const auto posts = stamp(kPosts);
    execute(ddl);
    EXPECT_NE(stamp(kPosts), posts) << ddl;
    execute("INSERT INTO users (name) VALUES ('x')");
    execute("INSERT INTO users (name) VALUES ('y')");
    const auto unchanged = stamp(kPosts);
    execute("INSERT INTO users (name) VALUES ('z')");
    EXPECT_EQ(stamp(kPosts), unchanged) << ddl;
  }
}

TEST_F(TrackedVersionsTest, ReadSetNamesEveryTableAStatementReads) {
  ReadSet count = db_->read_set("SELECT COUNT(*) FROM posts");
  EXPECT_EQ(count.tables, kPosts);
  EXPECT_TRUE(count.cacheable);

  ReadSet joined = db_->read_set(
      "SELECT COUNT(DISTINCT p.rowid) FROM Posts p LEFT JOIN users u ON u.id = p.author WHERE "
      "EXISTS (SELECT 1 FROM likes l WHERE l.post = p.id)");
  EXPECT_EQ(joined.tables, (std::vector<std::string>{"likes", "posts", "users"}));
  EXPECT_TRUE(joined.cacheable);
}

TEST_F(TrackedVersionsTest, ReadsThroughAViewAreNotCacheable) {
  execute("CREATE VIEW recent AS SELECT * FROM posts WHERE title > datetime('now')");
  ReadSet view = db_->read_set("SELECT COUNT(*) FROM recent");
  EXPECT_FALSE(view.cacheable);
  EXPECT_NE(std::find(view.tables.begin(), view.tables.end(), "posts"), view.tables.end());
}

}  // namespace
}  // namespace basalt::db
