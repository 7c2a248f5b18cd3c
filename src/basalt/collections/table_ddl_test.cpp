// Each DDL path against a real SQLite file: create, add, rename, drop (rebuild), change of
// shape (rebuild with conversion), collection rename, views, and a failing migration that
// leaves the old schema and rows intact.
#include "basalt/collections/table_ddl.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "basalt/db/database.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/sqlite/sqlite_dialect.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::collections {
namespace {

using db::testing::sync_wait;
using schema::Collection;
using schema::Field;

Field id_field() {
  schema::TextOptions options;
  options.primary_key = true;
  Field field("id", options);
  field.id = "text3208210256";
  field.system = true;
  return field;
}

Field text_field(std::string id, std::string name) {
  Field field(std::move(name), schema::TextOptions{});
  field.id = std::move(id);
  return field;
}

Field select_field(std::string id, std::string name, std::int64_t max_select) {
  schema::SelectOptions options;
  options.values = std::vector<std::string>{"a", "b", "c"};
  options.max_select = max_select;
  Field field(std::move(name), options);
  field.id = std::move(id);
  return field;
}

Collection posts() {
  Collection collection;
  collection.id = "pbc_1";
  collection.name = "posts";
  collection.fields = {id_field(), text_field("text1", "title"), select_field("select1", "tag", 1)};
  collection.indexes = {"CREATE INDEX `idx_posts_title` ON `posts` (`title`)"};
  return collection;
}

class TableDdlTest : public ::testing::Test {
 protected:
  TableDdlTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.path();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
  }

  void run(const std::vector<std::string>& statements) {
    sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      for (const auto& sql : statements) co_await tx.execute(sql);
    }));
  }

  db::ResultSet query(std::string_view sql) { return sync_wait(database_->query(sql)); }

  std::vector<std::string> columns(std::string_view table) {
    std::vector<std::string> out;
    for (auto row : query("SELECT name FROM pragma_table_info('" + std::string(table) + "')")) {
      out.emplace_back(row.as_text(0));
    }
    return out;
  }

  std::vector<std::string> indexes(std::string_view table) {
    std::vector<std::string> out;
    for (auto row : query("SELECT name FROM pragma_index_list('" + std::string(table) +
                          "') WHERE origin = 'c' ORDER BY name")) {
      out.emplace_back(row.as_text(0));
    }
    return out;
  }

  const db::Dialect& dialect() { return database_->dialect(); }

  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
};

TEST_F(TableDdlTest, CreateMakesTableColumnsAndIndexes) {
  run(create_statements(posts(), dialect()));
  EXPECT_EQ(columns("posts"), (std::vector<std::string>{"id", "title", "tag"}));
  EXPECT_EQ(indexes("posts"), std::vector<std::string>{"idx_posts_title"});
  // Defaults fill what an insert leaves out; the id default is a last-resort random id.
  run({"INSERT INTO posts (title) VALUES ('x')"});
  auto row = query("SELECT id, title, tag FROM posts");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_FALSE(row[0].as_text(0).empty());
  EXPECT_EQ(row[0].as_text(2), "");
}

TEST_F(TableDdlTest, AddAndRenameKeepRowsWithoutRebuild) {
  Collection before = posts();
  run(create_statements(before, dialect()));
  run({"INSERT INTO posts (id, title) VALUES ('p1', 'hello')"});
  Collection after = before;
  after.fields[1].name = "headline";
  after.fields.push_back(text_field("text2", "body"));
  after.indexes = {"CREATE INDEX `idx_posts_title` ON `posts` (`headline`)"};
  auto statements = update_statements(before, after, dialect());
  for (const auto& sql : statements) EXPECT_EQ(sql.find("_basalt_rebuild_"), std::string::npos);
  run(statements);
  EXPECT_EQ(columns("posts"), (std::vector<std::string>{"id", "headline", "tag", "body"}));
  auto rows = query("SELECT headline, body FROM posts WHERE id = 'p1'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].as_text(0), "hello");
  EXPECT_EQ(rows[0].as_text(1), "");
}

TEST_F(TableDdlTest, DroppingAFieldRebuildsAndKeepsRowsAndIndexes) {
  Collection before = posts();
  run(create_statements(before, dialect()));
  run({"INSERT INTO posts (id, title, tag) VALUES ('p1', 'hello', 'a')"});
  Collection after = before;
  after.fields.erase(after.fields.begin() + 2);  // drop `tag`
  run(update_statements(before, after, dialect()));
  EXPECT_EQ(columns("posts"), (std::vector<std::string>{"id", "title"}));
  EXPECT_EQ(indexes("posts"), std::vector<std::string>{"idx_posts_title"});
  auto rows = query("SELECT id, title FROM posts");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].as_text(1), "hello");
  EXPECT_TRUE(query("SELECT name FROM sqlite_master WHERE name LIKE '_basalt_rebuild_%'").empty());
}

TEST_F(TableDdlTest, SingleToMultipleSelectConvertsValues) {
  Collection before = posts();
  run(create_statements(before, dialect()));
  run({"INSERT INTO posts (id, tag) VALUES ('p1', 'a')", "INSERT INTO posts (id) VALUES ('p2')"});
  Collection after = before;
  after.fields[2] = select_field("select1", "tag", 3);
  run(update_statements(before, after, dialect()));
  auto rows = query("SELECT id, tag FROM posts ORDER BY id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].as_text(1), R"(["a"])");
  EXPECT_EQ(rows[1].as_text(1), "[]");

  // And back: the last value is kept.
  run({R"(UPDATE posts SET tag = '["a","b"]' WHERE id = 'p1')"});
  run(update_statements(after, before, dialect()));
  rows = query("SELECT id, tag FROM posts ORDER BY id");
  EXPECT_EQ(rows[0].as_text(1), "b");
  EXPECT_EQ(rows[1].as_text(1), "");
}

TEST_F(TableDdlTest, RenamingTheCollectionMovesTableAndIndexes) {
  Collection before = posts();
  run(create_statements(before, dialect()));
  run({"INSERT INTO posts (id) VALUES ('p1')"});
  Collection after = before;
  after.name = "articles";
  after.indexes = {"CREATE INDEX `idx_articles_title` ON `articles` (`title`)"};
  run(update_statements(before, after, dialect()));
  EXPECT_TRUE(columns("posts").empty());
  EXPECT_EQ(query("SELECT id FROM articles").size(), 1u);
  EXPECT_EQ(indexes("articles"), std::vector<std::string>{"idx_articles_title"});
}

TEST_F(TableDdlTest, RulesOnlyChangeNeedsNoStatements) {
  Collection before = posts();
  Collection after = before;
  after.list_rule = "";
  EXPECT_TRUE(update_statements(before, after, dialect()).empty());
}

TEST_F(TableDdlTest, FailingMigrationLeavesSchemaAndRowsIntact) {
  Collection before = posts();
  run(create_statements(before, dialect()));
  run({"INSERT INTO posts (id, title) VALUES ('p1', 'same')",
       "INSERT INTO posts (id, title) VALUES ('p2', 'same')"});
  Collection after = before;
  after.fields.erase(after.fields.begin() + 2);  // forces a rebuild...
  after.indexes = {"CREATE UNIQUE INDEX `idx_posts_title` ON `posts` (`title`)"};  // ...then fails
  EXPECT_THROW(run(update_statements(before, after, dialect())), db::ConstraintError);
  EXPECT_EQ(columns("posts"), (std::vector<std::string>{"id", "title", "tag"}));
  EXPECT_EQ(indexes("posts"), std::vector<std::string>{"idx_posts_title"});
  EXPECT_EQ(query("SELECT id FROM posts").size(), 2u);
}

TEST_F(TableDdlTest, ViewsAreCreatedAndReplaced) {
  run(create_statements(posts(), dialect()));
  run({"INSERT INTO posts (id, title) VALUES ('p1', 'hello')"});
  Collection view;
  view.id = "pbc_2";
  view.name = "titles";
  view.type = schema::CollectionType::kView;
  view.view_query = "SELECT id, title FROM posts";
  run(create_statements(view, dialect()));
  EXPECT_EQ(query("SELECT title FROM titles").size(), 1u);
  Collection changed = view;
  changed.view_query = "SELECT id, upper(title) AS shout FROM posts";
  run(update_statements(view, changed, dialect()));
  EXPECT_EQ(query("SELECT shout FROM titles")[0].as_text(0), "HELLO");
  run(drop_statements(changed, dialect()));
  EXPECT_TRUE(query("SELECT name FROM sqlite_master WHERE name = 'titles'").empty());
}

TEST_F(TableDdlTest, TypeChangesAreRefused) {
  Collection before = posts();
  Collection after = before;
  after.fields[1] = Field("title", schema::NumberOptions{});
  after.fields[1].id = "text1";
  EXPECT_THROW(update_statements(before, after, dialect()), std::invalid_argument);
}

}  // namespace
}  // namespace basalt::collections

namespace basalt::collections {
namespace {

// PostgreSQL runs no PocketBase index text: each index is rewritten in standard SQL, NOCASE as
// an expression index on the folded key. (query_postgres_test creates every system collection
// and test collection this way on a real server.)
TEST(TableDdlPostgres, IndexesAreWrittenInStandardSql) {
  Collection collection = posts();
  collection.indexes = {
      "CREATE UNIQUE INDEX `idx_title` ON `posts` (`title` COLLATE NOCASE) WHERE `title` != ''",
      "CREATE INDEX IF NOT EXISTS [idx_two] ON posts (tag DESC, `title` COLLATE rtrim ASC)",
      "CREATE INDEX `idx_expr` ON `posts` (lower(`title`), \"tag\")"};
  db::PostgresDialect dialect;
  std::vector<std::string> statements = create_statements(collection, dialect);
  ASSERT_EQ(statements.size(), 4U);
  EXPECT_EQ(statements[0],
            "CREATE TABLE \"posts\" (\"id\" TEXT COLLATE \"C\" PRIMARY KEY DEFAULT ('r' || "
            "substr(replace(gen_random_uuid()::text, '-', ''), 1, 12) || "
            "substr(replace(gen_random_uuid()::text, '-', ''), 14, 2)) NOT NULL, \"title\" TEXT "
            "COLLATE \"C\" DEFAULT '' NOT NULL, \"tag\" TEXT COLLATE \"C\" DEFAULT '' NOT NULL)");
  EXPECT_EQ(statements[1],
            "CREATE UNIQUE INDEX \"idx_title\" ON \"posts\" ((lower((\"title\")::text COLLATE "
            "\"C\")) ASC NULLS FIRST) WHERE \"title\" != ''");
  EXPECT_EQ(statements[2],
            "CREATE INDEX IF NOT EXISTS \"idx_two\" ON \"posts\" (\"tag\" DESC NULLS LAST, "
            "(rtrim(\"title\", ' ')) ASC NULLS FIRST)");
  EXPECT_EQ(
      statements[3],
      "CREATE INDEX \"idx_expr\" ON \"posts\" ((lower(\"title\")) ASC NULLS FIRST, \"tag\" ASC "
      "NULLS FIRST)");
  // SQLite keeps PocketBase's text.
  db::SqliteDialect sqlite;
  EXPECT_EQ(create_statements(collection, sqlite)[1],
            "CREATE UNIQUE INDEX `idx_title` ON `posts` (`title` COLLATE NOCASE) WHERE `title` "
            "!= ''");
}

// SQLite matches names ignoring case, quoted or not; PostgreSQL folds bare names to lower case.
// Every name the index mentions that is a column is written as the column's exact spelling, so
// PocketBase's `WHERE collectionRef = '...'` finds "collectionRef" (function names stay bare).
TEST(TableDdlPostgres, IndexNamesAreTheColumnsExactSpelling) {
  Collection collection = posts();
  collection.indexes = {
      "CREATE UNIQUE INDEX idx_one ON posts (TITLE) WHERE Tag = 'x' AND `TITLE` != \"\"",
      "CREATE INDEX idx_low ON posts (LOWER(Title), nothere)"};
  db::PostgresDialect dialect;
  std::vector<std::string> statements = create_statements(collection, dialect);
  ASSERT_EQ(statements.size(), 3U);
  EXPECT_EQ(
      statements[1],
      "CREATE UNIQUE INDEX \"idx_one\" ON \"posts\" (\"title\" ASC NULLS FIRST) WHERE \"tag\" = "
      "'x' AND "
      "\"title\" != ''");
  EXPECT_EQ(
      statements[2],
      "CREATE INDEX \"idx_low\" ON \"posts\" ((LOWER(\"title\")) ASC NULLS FIRST, \"nothere\" "
      "ASC NULLS FIRST)");
}

// PostgreSQL before 16 wants an alias on a subquery in FROM; SQLite takes it too.
TEST(TableDdlPostgres, AViewsSubqueryHasAnAlias) {
  Collection view;
  view.id = "pbc_2";
  view.name = "titles";
  view.type = schema::CollectionType::kView;
  view.view_query = "SELECT id, title FROM posts";
  db::PostgresDialect dialect;
  std::vector<std::string> statements = create_statements(view, dialect);
  ASSERT_FALSE(statements.empty());
  EXPECT_EQ(statements[0],
            "CREATE VIEW \"titles\" AS SELECT * FROM (\nSELECT id, title FROM posts\n) AS "
            "\"_basalt_view_source\"");
}

}  // namespace
}  // namespace basalt::collections
