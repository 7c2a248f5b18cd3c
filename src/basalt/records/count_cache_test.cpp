// CountCache over a real SQLite database: a count is reused while nothing it reads changed
// and recounted after any commit that wrote a table it reads.
#include "basalt/records/count_cache.hpp"

#include <gtest/gtest.h>

#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::records {
namespace {

using boost::asio::awaitable;
using db::testing::sync_wait;

constexpr std::string_view kCountPosts = "SELECT COUNT(*) FROM posts WHERE views > ?1";
constexpr std::string_view kCountJoined =
    "SELECT COUNT(*) FROM posts p JOIN users u ON u.id = p.author WHERE u.name = ?1";

class CountCacheTest : public ::testing::Test {
 protected:
  CountCacheTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.str();
    options.statement_timeout = std::chrono::seconds(5);
    db_ = db::open_sqlite(options);
    execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)");
    execute("CREATE TABLE posts (id INTEGER PRIMARY KEY, author INTEGER, views INTEGER)");
    execute("CREATE TABLE tags (id INTEGER PRIMARY KEY)");
    execute("INSERT INTO users VALUES (1, 'ann'), (2, 'bob')");
    execute("INSERT INTO posts VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30)");
  }

  void execute(std::string sql) {
    sync_wait(
        db_->write([&](db::Transaction& tx) -> awaitable<void> { co_await tx.execute(sql); }));
  }

  // What the records list does: the cached total, or a COUNT run now and stored. `ran` tells
  // which.
  std::int64_t count(CountCache& cache, std::string_view sql, db::Params params, bool& ran) {
    auto found = cache.find(sql, params, *db_);
    if (auto* total = std::get_if<std::int64_t>(&found)) {
      ran = false;
      return *total;
    }
    ran = true;
    const std::int64_t total = sync_wait(db_->query(sql, params))[0].as_int(0);
    cache.store(std::move(std::get<CountCache::Pending>(found)), total);
    return total;
  }

  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> db_;
};

TEST_F(CountCacheTest, ARepeatedCountIsServedFromTheCache) {
  CountCache cache;
  bool ran = false;
  EXPECT_EQ(count(cache, kCountPosts, {15}, ran), 2);
  EXPECT_TRUE(ran);
  EXPECT_EQ(count(cache, kCountPosts, {15}, ran), 2);
  EXPECT_FALSE(ran);
  // Other parameters are another count.
  EXPECT_EQ(count(cache, kCountPosts, {25}, ran), 1);
  EXPECT_TRUE(ran);
}

TEST_F(CountCacheTest, AWriteToAnotherTableKeepsTheCount) {
  CountCache cache;
  bool ran = false;
  count(cache, kCountPosts, {15}, ran);
  execute("INSERT INTO tags VALUES (1)");
  execute("UPDATE users SET name = 'cid' WHERE id = 2");
  EXPECT_EQ(count(cache, kCountPosts, {15}, ran), 2);
  EXPECT_FALSE(ran);
}

TEST_F(CountCacheTest, AWriteToTheCountedTableDropsTheCount) {
  CountCache cache;
  bool ran = false;
  count(cache, kCountPosts, {15}, ran);
  execute("INSERT INTO posts VALUES (4, 2, 40)");
  EXPECT_EQ(count(cache, kCountPosts, {15}, ran), 3);
  EXPECT_TRUE(ran);
}

TEST_F(CountCacheTest, AWriteToAJoinedTableDropsTheCount) {
  CountCache cache;
  bool ran = false;
  EXPECT_EQ(count(cache, kCountJoined, {"ann"}, ran), 2);
  execute("UPDATE users SET name = 'ann' WHERE id = 2");
  EXPECT_EQ(count(cache, kCountJoined, {"ann"}, ran), 3);
  EXPECT_TRUE(ran);
}

TEST_F(CountCacheTest, ASchemaChangeDropsEveryCount) {
  CountCache cache;
  bool ran = false;
  count(cache, kCountPosts, {15}, ran);
  execute("DROP TABLE tags");
  count(cache, kCountPosts, {15}, ran);
  EXPECT_TRUE(ran);
}

TEST_F(CountCacheTest, CountsThroughAViewAreNeverCached) {
  execute("CREATE VIEW popular AS SELECT * FROM posts WHERE views > 15");
  CountCache cache;
  bool ran = false;
  count(cache, "SELECT COUNT(*) FROM popular", {}, ran);
  count(cache, "SELECT COUNT(*) FROM popular", {}, ran);
  EXPECT_TRUE(ran);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(CountCacheTest, TheLeastRecentlyUsedEntryGoesFirst) {
  CountCache cache({.max_entries = 2, .max_bytes = 1 << 20});
  bool ran = false;
  count(cache, kCountPosts, {1}, ran);
  count(cache, kCountPosts, {2}, ran);
  count(cache, kCountPosts, {1}, ran);  // a hit: {1} is now the most recent
  count(cache, kCountPosts, {3}, ran);  // evicts {2}
  EXPECT_EQ(cache.size(), 2u);
  count(cache, kCountPosts, {1}, ran);
  EXPECT_FALSE(ran);
  count(cache, kCountPosts, {2}, ran);
  EXPECT_TRUE(ran);
}

TEST_F(CountCacheTest, KeysPastTheByteBoundAreNotCached) {
  CountCache cache({.max_entries = 10, .max_bytes = 400});
  bool ran = false;
  const std::string long_name(200, 'x');
  count(cache, kCountJoined, {long_name}, ran);
  count(cache, kCountJoined, {long_name}, ran);
  EXPECT_TRUE(ran);
  EXPECT_EQ(cache.size(), 0u);
}

TEST_F(CountCacheTest, ZeroEntriesTurnsTheCacheOff) {
  CountCache cache({.max_entries = 0, .max_bytes = 1 << 20});
  bool ran = false;
  count(cache, kCountPosts, {15}, ran);
  count(cache, kCountPosts, {15}, ran);
  EXPECT_TRUE(ran);
}

TEST(CountKey, TellsParameterKindsAndBoundariesApart) {
  EXPECT_NE(count_key("q", {std::int64_t{1}}), count_key("q", {1.0}));
  EXPECT_NE(count_key("q", {"1"}), count_key("q", {std::int64_t{1}}));
  EXPECT_NE(count_key("q", {"a", "b"}), count_key("q", {"a\0b"}));
  EXPECT_NE(count_key("q", {nullptr}), count_key("q", {""}));
  EXPECT_EQ(count_key("q", {"a", 2}), count_key("q", {"a", 2}));
}

}  // namespace
}  // namespace basalt::records
