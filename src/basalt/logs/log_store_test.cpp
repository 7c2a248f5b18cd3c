// LogStore and the logs API's reads on a real auxiliary.db in a temporary directory.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/logs/log_queries.hpp"
#include "basalt/logs/log_store.hpp"

namespace basalt::logs {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;
using db::testing::TempDir;

LogEntry store_test_entry(std::string id, std::string created, int level, int status) {
  json::object data{{"type", "request"}, {"status", status}, {"method", "GET"}};
  return {std::move(id), std::move(created), level, "GET /api/x", json::serialize(data)};
}

class LogStoreTest : public ::testing::Test {
 protected:
  LogStoreTest() : store_(LogStoreOptions{dir_.str()}) {
    insert_blocking(store_,
                    {
                        store_test_entry("aaaaaaaaaaaaaa1", "2026-01-01 10:00:01.000Z", 0, 200),
                        store_test_entry("aaaaaaaaaaaaaa2", "2026-01-01 10:30:00.000Z", 8, 404),
                        store_test_entry("aaaaaaaaaaaaaa3", "2026-01-01 11:05:00.000Z", 8, 500),
                        store_test_entry("aaaaaaaaaaaaaa4", "2026-01-01 11:06:00.000Z", 0, 204),
                    });
  }

  json::object list(LogListQuery query) {
    return sync_wait(list_logs(store_, plans_, std::move(query), std::chrono::system_clock::now()));
  }

  TempDir dir_;
  LogStore store_;
  query::PlanCache plans_;
};

std::vector<std::string> item_ids(const json::object& page) {
  std::vector<std::string> ids;
  for (const json::value& item : page.at("items").as_array()) {
    ids.emplace_back(item.at("id").as_string());
  }
  return ids;
}

TEST_F(LogStoreTest, ListsInWriteOrderWithTotals) {
  json::object page = list({});
  EXPECT_EQ(item_ids(page), (std::vector<std::string>{"aaaaaaaaaaaaaa1", "aaaaaaaaaaaaaa2",
                                                      "aaaaaaaaaaaaaa3", "aaaaaaaaaaaaaa4"}));
  EXPECT_EQ(page.at("totalItems").as_int64(), 4);
  EXPECT_EQ(page.at("totalPages").as_int64(), 1);
  EXPECT_EQ(page.at("perPage").as_int64(), 30);
  const json::object& first = page.at("items").as_array()[0].as_object();
  EXPECT_EQ(first.at("created").as_string(), "2026-01-01 10:00:01.000Z");
  EXPECT_EQ(first.at("level").as_int64(), 0);
  EXPECT_EQ(first.at("message").as_string(), "GET /api/x");
  EXPECT_EQ(first.at("data").at("status").as_int64(), 200);
}

TEST_F(LogStoreTest, FiltersOnDataPathsAndSorts) {
  LogListQuery query;
  query.filter = "data.status >= 400";
  query.sort = "-created";
  json::object page = list(query);
  EXPECT_EQ(item_ids(page), (std::vector<std::string>{"aaaaaaaaaaaaaa3", "aaaaaaaaaaaaaa2"}));
  EXPECT_EQ(page.at("totalItems").as_int64(), 2);

  query.filter = "level = 0 && created > '2026-01-01 11:00:00.000Z'";
  query.sort = "";
  EXPECT_EQ(item_ids(list(query)), (std::vector<std::string>{"aaaaaaaaaaaaaa4"}));
}

TEST_F(LogStoreTest, PagesAndSkipsTotals) {
  LogListQuery query;
  query.page = 2;
  query.per_page = 3;
  query.skip_total = true;
  json::object page = list(query);
  EXPECT_EQ(item_ids(page), (std::vector<std::string>{"aaaaaaaaaaaaaa4"}));
  EXPECT_EQ(page.at("totalItems").as_int64(), -1);
  query.per_page = 5000;  // capped
  query.page = 1;
  EXPECT_EQ(list(query).at("perPage").as_int64(), 1000);
}

TEST_F(LogStoreTest, RefusesUnknownFieldsAndBadSyntax) {
  LogListQuery query;
  query.filter = "nope = 1";
  EXPECT_THROW(list(query), core::ApiError);
  query.filter = "data.status >=";
  EXPECT_THROW(list(query), core::ApiError);
  query.filter = "";
  query.sort = "-rowid";
  EXPECT_THROW(list(query), core::ApiError);
  try {
    sync_wait(log_stats(store_, plans_, "level ==== 1", std::chrono::system_clock::now()));
    FAIL() << "expected a 400";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 400);
    EXPECT_EQ(error.message(), "Invalid filter format.");
  }
}

TEST_F(LogStoreTest, CountsPerHour) {
  json::array stats = sync_wait(log_stats(store_, plans_, "", std::chrono::system_clock::now()));
  ASSERT_EQ(stats.size(), 2u);
  EXPECT_EQ(stats[0].at("date").as_string(), "2026-01-01 10:00:00.000Z");
  EXPECT_EQ(stats[0].at("total").as_int64(), 2);
  EXPECT_EQ(stats[1].at("date").as_string(), "2026-01-01 11:00:00.000Z");
  EXPECT_EQ(stats[1].at("total").as_int64(), 2);

  stats =
      sync_wait(log_stats(store_, plans_, "data.status >= 500", std::chrono::system_clock::now()));
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].at("total").as_int64(), 1);
}

TEST_F(LogStoreTest, FindsOneById) {
  auto found = sync_wait(find_log(store_, "aaaaaaaaaaaaaa3"));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->at("level").as_int64(), 8);
  EXPECT_FALSE(sync_wait(find_log(store_, "missing")));
}

TEST_F(LogStoreTest, DeletesUpToTheCutoffAndKeepsTheRestAcrossReopen) {
  EXPECT_EQ(delete_before_blocking(store_, "2026-01-01 10:30:00.000Z"), 2u);
  EXPECT_EQ(item_ids(list({})), (std::vector<std::string>{"aaaaaaaaaaaaaa3", "aaaaaaaaaaaaaa4"}));
}

TEST(LogStoreFileTest, PersistsInAuxiliaryDb) {
  TempDir dir;
  {
    LogStore store(LogStoreOptions{dir.str()});
    insert_blocking(store,
                    {store_test_entry("bbbbbbbbbbbbbb1", "2026-01-01 10:00:00.000Z", 0, 200)});
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "auxiliary.db"));
  LogStore reopened(LogStoreOptions{dir.str()});
  query::PlanCache plans;
  json::object page = sync_wait(list_logs(reopened, plans, {}, std::chrono::system_clock::now()));
  EXPECT_EQ(page.at("totalItems").as_int64(), 1);
}

// 300 entries: two statements of 128 rows, one of 32, one of 8 and four of one.
TEST(LogStoreFileTest, WritesALargeBatchInFullAndInOrder) {
  TempDir dir;
  LogStore store(LogStoreOptions{dir.str()});
  std::vector<LogEntry> batch;
  std::vector<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    std::string id = "c" + std::string(10, '0') + std::to_string(1000 + i);
    expected.push_back(id);
    batch.push_back(store_test_entry(std::move(id), "2026-01-01 10:00:00.000Z", 0, 200 + i));
  }
  insert_blocking(store, batch);
  query::PlanCache plans;
  LogListQuery query;
  query.per_page = 1000;
  json::object page =
      sync_wait(list_logs(store, plans, std::move(query), std::chrono::system_clock::now()));
  EXPECT_EQ(page.at("totalItems").as_int64(), 300);
  EXPECT_EQ(item_ids(page), expected);
  const json::object& last = page.at("items").as_array()[299].as_object();
  EXPECT_EQ(last.at("data").at("status").as_int64(), 499);
}

}  // namespace
}  // namespace basalt::logs
