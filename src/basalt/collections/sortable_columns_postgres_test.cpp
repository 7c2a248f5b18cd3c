// The migration of a database made before text columns were "C" and index keys in SQLite's
// NULL order (sortable_columns.hpp), on the real test server (BASALT_TEST_POSTGRES_URL): an
// "old" table is made by hand, the step runs, and the columns, the index and the view of a view
// collection come out as today's DDL makes them, with the rows kept.
#include "basalt/collections/sortable_columns.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

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

// A database as an older version left it: a collection `posts` and a view collection `titles`
// over it, the table's text in the database's collation and its index in PostgreSQL's NULL
// order, two rows.
class SortableColumnsMigration : public ::testing::Test {
 protected:
  void SetUp() override {
    BASALT_REQUIRE_POSTGRES();
    schema_.emplace();
    db::PostgresOptions options;
    options.url = schema_->url();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_postgres(options, std::make_shared<db::PostgresDialect>());
    const db::Dialect& dialect = database_->dialect();
    const core::ManualClock clock;
    const auto migrations = system_migrations(dialect, clock);
    sync_wait(db::apply_migrations(*database_, migrations));

    schema::Collection posts;
    posts.id = "pbc_sortable";
    posts.name = "posts";
    posts.fields = {sortable_text_field("text0", "id", true),
                    sortable_text_field("text1", "title")};
    posts.indexes = {"CREATE INDEX `idx_posts_title` ON `posts` (`title`)"};
    schema::Collection titles;
    titles.id = "pbc_titles";
    titles.name = "titles";
    titles.type = schema::CollectionType::kView;
    titles.view_query = "SELECT id, title FROM posts";
    titles.fields = {sortable_text_field("text0", "id", true),
                     sortable_text_field("text1", "title")};
    sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      for (const schema::Collection* c : {&posts, &titles}) {
        for (const std::string& statement : create_statements(*c, dialect)) {
          co_await tx.execute(statement);
        }
        co_await insert_collection(tx, dialect, *c);
      }
    }));
    schema_->exec(
        "DROP VIEW titles; DROP INDEX idx_posts_title; "
        "ALTER TABLE posts ALTER COLUMN title TYPE text COLLATE \"default\"; "
        "ALTER TABLE posts ALTER COLUMN id TYPE text COLLATE \"default\"; "
        "CREATE INDEX idx_posts_title ON posts (title); "
        "CREATE VIEW titles AS SELECT * FROM (SELECT id, title FROM posts) AS s; "
        "INSERT INTO posts (id, title) VALUES ('b', 'B'), ('a', 'a')");
  }

  void migrate() {
    sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await make_columns_sortable(tx, database_->dialect());
    }));
  }

  std::vector<std::string> column(const std::string& sql) {
    std::vector<std::string> out;
    for (const db::ResultSet::Row row : sync_wait(database_->query(sql))) {
      out.emplace_back(row.as_text(0));
    }
    return out;
  }

  std::optional<db::testing::PostgresSchema> schema_;
  std::unique_ptr<db::Database> database_;
};

TEST_F(SortableColumnsMigration, RetypesOldTextColumnsAndRemakesIndexesAndViews) {
  const db::Dialect& dialect = database_->dialect();
  db::Database* database = database_.get();
  migrate();

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

// Views of the user's own (not view collections) over a collection's table, over the view
// collection and over each other, one materialized with an index, with a comment and a grant:
// they are saved, dropped, and made again over the re-typed columns in the same transaction.
TEST_F(SortableColumnsMigration, RemakesTheUsersOwnViewsOverCollectionTables) {
  schema_->exec(
      "CREATE VIEW my_upper AS SELECT id, upper(title) AS loud FROM posts; "
      "CREATE VIEW my_chain WITH (security_barrier = true) AS SELECT loud FROM my_upper "
      "WHERE loud <> ''; "
      "CREATE VIEW my_titles AS SELECT title FROM titles; "
      "CREATE MATERIALIZED VIEW my_counts AS SELECT title, count(*) AS n FROM posts GROUP BY "
      "title; CREATE INDEX my_counts_title ON my_counts (title); "
      "COMMENT ON VIEW my_upper IS 'it''s mine'; GRANT SELECT ON my_chain TO PUBLIC");
  migrate();

  // The columns were re-typed (the views did not stop it) and every view is back, reading the
  // "C" columns: byte order, 'B' before 'a'.
  EXPECT_EQ(column("SELECT c.collname::text FROM pg_attribute a JOIN pg_collation c ON c.oid = "
                   "a.attcollation WHERE a.attrelid = 'posts'::regclass AND a.attname = 'title'"),
            std::vector<std::string>{"C"});
  EXPECT_EQ(column("SELECT id FROM my_upper ORDER BY loud"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(column("SELECT loud FROM my_chain ORDER BY loud"),
            (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(column("SELECT title FROM my_titles ORDER BY title"),
            (std::vector<std::string>{"B", "a"}));
  EXPECT_EQ(column("SELECT title FROM my_counts ORDER BY title"),
            (std::vector<std::string>{"B", "a"}));
  // What was said about them is kept: the comment, the grant, the option, the index.
  EXPECT_EQ(column("SELECT obj_description('my_upper'::regclass, 'pg_class')"),
            std::vector<std::string>{"it's mine"});
  EXPECT_EQ(column("SELECT privilege_type::text FROM aclexplode((SELECT relacl FROM pg_class "
                   "WHERE oid = 'my_chain'::regclass)) WHERE grantee = 0"),
            std::vector<std::string>{"SELECT"});
  EXPECT_EQ(column("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = "
                   "'my_chain'::regclass"),
            std::vector<std::string>{"security_barrier=true"});
  EXPECT_EQ(column("SELECT indexname::text FROM pg_indexes WHERE tablename = 'my_counts'"),
            std::vector<std::string>{"my_counts_title"});
  // The view collection is made as today's DDL makes it, not from its old text.
  const std::vector<std::string> titles = column("SELECT pg_get_viewdef('titles'::regclass)");
  ASSERT_EQ(titles.size(), 1u);
  EXPECT_NE(titles[0].find("_basalt_view_source"), std::string::npos) << titles[0];
}

}  // namespace
}  // namespace basalt::collections
