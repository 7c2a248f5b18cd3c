// Every field type's value survives a write and a read through a real SQLite table.
#include "basalt/records/record_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/collections/table_ddl.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/schema/collection_defaults.hpp"
#include "basalt/schema/collection_json.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

TEST(RecordCodecTest, EveryFieldTypeRoundTripsThroughItsColumn) {
  db::testing::TempDir dir;
  db::SqliteOptions options;
  options.data_dir = dir.path();
  options.statement_timeout = std::chrono::seconds(5);
  auto database = db::open_sqlite(options);

  auto parsed = schema::parse_collection(json::parse(R"({"name":"things","type":"base","fields":[
      {"name":"title","type":"text"},{"name":"count","type":"number"},{"name":"done","type":"bool"},
      {"name":"mail","type":"email"},{"name":"when","type":"date"},
      {"name":"one","type":"select","values":["a","b"],"maxSelect":1},
      {"name":"many","type":"select","values":["a","b"],"maxSelect":2},
      {"name":"data","type":"json"},{"name":"place","type":"geoPoint"}]})"),
                                         schema::ParseMode::kCreate);
  ASSERT_TRUE(parsed.errors.empty());
  schema::Collection things = parsed.collection;
  schema::apply_defaults(things);

  json::object values = json::parse(R"({"id":"abcdefghijklmno","title":"Hi \"there\"","count":2.5,
      "done":true,"mail":"a@b.co","when":"2026-08-14 07:16:55.123Z","one":"b","many":["a","b"],
      "data":{"k":[1,null]},"place":{"lon":1.5,"lat":-2.25}})")
                            .as_object();
  sync_wait(database->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    for (const auto& sql : collections::create_statements(things, database->dialect())) {
      co_await tx.execute(sql);
    }
    co_await tx.execute(insert_sql(things, database->dialect()), insert_params(things, values));
  }));
  auto rows = sync_wait(database->query(select_sql(things, database->dialect())));
  ASSERT_EQ(rows.size(), 1u);
  json::object read = decode_row(things, rows[0]);
  for (const auto& [key, value] : values) {
    EXPECT_EQ(json::serialize(read.at(key)), json::serialize(value)) << key;
  }

  // Updating writes every column and leaves other rows alone.
  values["title"] = "changed";
  values["data"] = nullptr;
  sync_wait(database->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(update_sql(things, database->dialect()),
                        update_params(things, values, "abcdefghijklmno"));
  }));
  rows = sync_wait(database->query(select_sql(things, database->dialect())));
  read = decode_row(things, rows[0]);
  EXPECT_EQ(read.at("title").as_string(), "changed");
  EXPECT_TRUE(read.at("data").is_null());
}

}  // namespace
}  // namespace basalt::records
