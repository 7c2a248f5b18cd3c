// Schema changes on PostgreSQL run as ALTER TABLE in place (no rebuild), on a real server
// (BASALT_TEST_POSTGRES_URL), and leave the rows as SQLite's rebuild leaves them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "basalt/collections/table_ddl.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/testing/libpq_session.hpp"

namespace basalt::collections {
namespace {

using schema::Collection;
using schema::Field;

Field pg_id_field() {
  schema::TextOptions options;
  options.primary_key = true;
  Field field("id", options);
  field.id = "text3208210256";
  field.system = true;
  return field;
}

Field pg_text_field(std::string id, std::string name) {
  Field field(std::move(name), schema::TextOptions{});
  field.id = std::move(id);
  return field;
}

Field pg_select_field(std::string id, std::string name, std::int64_t max_select) {
  schema::SelectOptions options;
  options.values = std::vector<std::string>{"x", "p", "q"};
  options.max_select = max_select;
  Field field(std::move(name), options);
  field.id = std::move(id);
  return field;
}

TEST(TableDdlPostgres, SchemaChangesAlterColumnsInPlace) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  const db::PostgresDialect dialect;
  Collection before;
  before.id = "pbc_1";
  before.name = "posts";
  before.fields = {pg_id_field(), pg_text_field("text1", "title"),
                   pg_select_field("select1", "tag", 1), pg_select_field("select2", "tags", 3),
                   pg_text_field("text2", "gone")};
  before.indexes = {"CREATE INDEX `idx_posts_title` ON `posts` (`title` COLLATE NOCASE)"};
  for (const std::string& statement : create_statements(before, dialect)) pg.exec(statement);
  pg.exec(R"(INSERT INTO "posts" ("id", "title", "tag", "tags", "gone") VALUES
             ('a', 't1', 'x', '["p","q"]', 'g'), ('b', 't2', '', '[]', 'g'),
             ('c', 't3', 'p', '["x"]', 'g'))");

  Collection after = before;
  after.fields = {pg_id_field(), pg_text_field("text1", "headline"),
                  pg_select_field("select1", "tag", 2), pg_select_field("select2", "tags", 1),
                  pg_text_field("text3", "extra")};
  after.indexes = {"CREATE INDEX `idx_posts_title` ON `posts` (`headline`)"};
  const std::vector<std::string> statements = update_statements(before, after, dialect);
  for (const std::string& statement : statements) {
    EXPECT_EQ(statement.find("CREATE TABLE"), std::string::npos) << statement;
    EXPECT_EQ(statement.find("DROP TABLE"), std::string::npos) << statement;
    pg.exec(statement);
  }
  // One value -> many: 'x' -> ["x"], '' -> []; many -> one: the last item, '' for [].
  const db::testing::PgRows rows = pg.query(
      R"(SELECT "id", "headline", "tag"::text, "tags", "extra" FROM "posts" ORDER BY "id")");
  const db::testing::PgRows expected = {{"a", "t1", R"(["x"])", "q", ""},
                                        {"b", "t2", "[]", "", ""},
                                        {"c", "t3", R"(["p"])", "x", ""}};
  EXPECT_EQ(rows, expected);
  EXPECT_EQ(pg.scalar("SELECT data_type FROM information_schema.columns WHERE table_schema = "
                      "current_schema() AND table_name = 'posts' AND column_name = 'tag'"),
            "jsonb");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                      "current_schema() AND table_name = 'posts' AND column_name = 'gone'"),
            "0");
  // The defaults follow the new shapes: a new row gets [] and ''.
  pg.exec(R"(INSERT INTO "posts" ("id") VALUES ('d'))");
  EXPECT_EQ(pg.scalar(R"(SELECT "tag"::text || '|' || "tags" FROM "posts" WHERE "id" = 'd')"),
            "[]|");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND "
                      "indexname = 'idx_posts_title'"),
            "1");
}

}  // namespace
}  // namespace basalt::collections
