// The migration of a database made before text columns were "C" and index keys in SQLite's
// NULL order (sortable_columns.hpp), on the real test server (BASALT_TEST_POSTGRES_URL): an
// "old" table is made by hand, the step runs, and the columns, the index and the view of a view
// collection come out as today's DDL makes them, with the rows kept.
#include "basalt/collections/sortable_columns.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "basalt/collections/collection_service.hpp"
#include "basalt/collections/collection_store.hpp"
#include "basalt/collections/table_ddl.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/postgres/postgres_database.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/testing/postgres_server.hpp"
#include "basalt/db/testing/sync_wait.hpp"

namespace basalt::collections {
namespace {

using db::testing::sync_wait;

schema::Field sortable_text_field(std::string id, std::string name, bool primary = false) {
  schema::TextOptions options;
  options.primary_key = primary;
  schema::Field field(std::move(name), options);
  field.id = std::move(id);
  field.system = primary;
  return field;
}

TEST(SortableColumnsMigration, RetypesOldTextColumnsAndRemakesIndexesAndViews) {
  BASALT_REQUIRE_POSTGRES();
  db::testing::PostgresSchema schema;
  db::PostgresOptions options;
  options.url = schema.url();
  options.statement_timeout = std::chrono::seconds(5);
  const std::unique_ptr<db::Database> database =
      db::open_postgres(options, std::make_shared<db::PostgresDialect>());
  const db::Dialect& dialect = database->dialect();
  const core::ManualClock clock;
  const auto migrations = system_migrations(dialect, clock);
  sync_wait(db::apply_migrations(*database, migrations));

  // A collection and a view over it, then its table as an older version left it: text in the
  // database's collation, the index in PostgreSQL's NULL order.
  schema::Collection posts;
  posts.id = "pbc_sortable";
  posts.name = "posts";
  posts.fields = {sortable_text_field("text0", "id", true), sortable_text_field("text1", "title")};
  posts.indexes = {"CREATE INDEX `idx_posts_title` ON `posts` (`title`)"};
  schema::Collection titles;
  titles.id = "pbc_titles";
  titles.name = "titles";
  titles.type = schema::CollectionType::kView;
  titles.view_query = "SELECT id, title FROM posts";
  titles.fields = {sortable_text_field("text0", "id", true), sortable_text_field("text1", "title")};
  sync_wait(database->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    for (const schema::Collection* c : {&posts, &titles}) {
      for (const std::string& statement : create_statements(*c, dialect)) {
        co_await tx.execute(statement);
      }
      co_await insert_collection(tx, dialect, *c);
    }
  }));
  schema.exec(
      "DROP VIEW titles; DROP INDEX idx_posts_title; "
      "ALTER TABLE posts ALTER COLUMN title TYPE text COLLATE \"default\"; "
      "ALTER TABLE posts ALTER COLUMN id TYPE text COLLATE \"default\"; "
      "CREATE INDEX idx_posts_title ON posts (title); "
      "CREATE VIEW titles AS SELECT * FROM (SELECT id, title FROM posts) AS s; "
      "INSERT INTO posts (id, title) VALUES ('b', 'B'), ('a', 'a')");

  sync_wait(database->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await make_columns_sortable(tx, dialect);
  }));

  const db::ResultSet collations = sync_wait(database->query(
      "SELECT a.attname::text, c.collname::text FROM pg_attribute a JOIN pg_collation c ON "
      "c.oid = a.attcollation WHERE a.attrelid = 'posts'::regclass AND a.attnum > 0 ORDER BY 1"));
  ASSERT_EQ(collations.size(), 2u);
  EXPECT_EQ(collations[0].as_text(1), "C");
  EXPECT_EQ(collations[1].as_text(1), "C");
  const db::ResultSet index = sync_wait(
      database->query("SELECT indexdef FROM pg_indexes WHERE indexname = 'idx_posts_title'"));
  ASSERT_EQ(index.size(), 1u);
  EXPECT_NE(std::string(index[0].as_text(0)).find("title NULLS FIRST"), std::string::npos)
      << index[0].as_text(0);
  // The view is back, over the re-typed column: its text sorts by bytes ('B' before 'a'), as
  // SQLite's BINARY, with no COLLATE in the query.
  const db::ResultSet rows = sync_wait(database->query("SELECT id FROM titles ORDER BY title"));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].as_text(0), "b");
  // Nothing left to re-type: the step is a no-op the second time.
  const db::ResultSet left =
      sync_wait(database->query(std::string(dialect.text_columns_to_retype_query())));
  EXPECT_TRUE(left.empty());
}

}  // namespace
}  // namespace basalt::collections
