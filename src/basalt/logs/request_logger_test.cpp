// RequestLogger: requests observed as a worker would hand them over, written into a real
// auxiliary.db by the logger's thread, read back through the logs API's reads.
#include <gtest/gtest.h>

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <set>

#include "basalt/core/clock.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/request_message.hpp"
#include "basalt/logs/log_queries.hpp"
#include "basalt/logs/request_logger.hpp"

namespace basalt::logs {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;
using db::testing::TempDir;

// 2026-01-01 00:00:00 UTC
const std::chrono::system_clock::time_point kLoggerTestStart{std::chrono::seconds(1767225600)};

class RequestLoggerTest : public ::testing::Test {
 protected:
  RequestLoggerTest() : clock_(kLoggerTestStart), store_(LogStoreOptions{dir_.str()}) {}

  void start(RequestLogger::Options options = {}) {
    options.flush_interval = std::chrono::hours(1);  // only flush() writes, in these tests
    logger_.emplace(
        store_,
        [this] {
          std::lock_guard lock(policy_mutex_);
          return policy_;
        },
        clock_, options);
  }

  void set_policy(LogsPolicy policy) {
    std::lock_guard lock(policy_mutex_);
    policy_ = policy;
  }

  // One request through the observer, as the connection reports it.
  void observe(std::string_view target, int status, http::RequestNote note = {},
               std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::RequestMessage message;
    message.message.method(boost::beast::http::verb::get);
    message.message.target(target);
    for (const auto& [name, value] : headers) message.message.set(name, value);
    const std::string remote = "127.0.0.1:5555";
    http::Request request(message, remote);
    request.note() = std::move(note);
    logger_->on_request({request, status, std::chrono::microseconds(1500)});
  }

  json::array entries(std::string filter = {}) {
    logger_->flush();
    LogListQuery query;
    query.filter = std::move(filter);
    json::object page =
        sync_wait(list_logs(store_, plans_, std::move(query), std::chrono::system_clock::now()));
    return page.at("items").as_array();
  }

  TempDir dir_;
  core::ManualClock clock_;
  LogStore store_;
  query::PlanCache plans_;
  std::mutex policy_mutex_;
  LogsPolicy policy_;
  std::optional<RequestLogger> logger_;
};

TEST_F(RequestLoggerTest, WritesPocketBasesRequestEntry) {
  start();
  http::RequestNote note;
  note.auth_collection = "users";
  note.auth_id = "u1";
  note.error = "The requested resource wasn't found.";
  observe("/api/collections/posts/records?filter=a%20b", 404, note,
          {{"User-Agent", "test-agent \"q\" <b>\\"}, {"Referer", "http://example.test/"}});
  json::array items = entries();
  ASSERT_EQ(items.size(), 1u);
  const json::object& entry = items[0].as_object();
  EXPECT_EQ(entry.at("level").as_int64(), 8);
  EXPECT_EQ(entry.at("message").as_string(), "GET /api/collections/posts/records?filter=a b");
  EXPECT_EQ(entry.at("created").as_string(), "2026-01-01 00:00:00.000Z");
  EXPECT_EQ(entry.at("id").as_string().size(), 15u);
  const json::object& data = entry.at("data").as_object();
  EXPECT_EQ(data.at("type").as_string(), "request");
  EXPECT_EQ(data.at("method").as_string(), "GET");
  EXPECT_EQ(data.at("url").as_string(), "/api/collections/posts/records?filter=a%20b");
  EXPECT_EQ(data.at("status").as_int64(), 404);
  EXPECT_DOUBLE_EQ(data.at("execTime").as_double(), 1.5);
  EXPECT_EQ(data.at("userAgent").as_string(), "test-agent \"q\" <b>\\");  // escaped, read back
  EXPECT_EQ(data.at("referer").as_string(), "http://example.test/");
  EXPECT_EQ(data.at("auth").as_string(), "users");
  EXPECT_FALSE(data.contains("authId"));  // logAuthId is off by default
  EXPECT_EQ(data.at("remoteIP").as_string(), "127.0.0.1");
  EXPECT_EQ(data.at("userIP").as_string(), "127.0.0.1");
  EXPECT_EQ(data.at("error").as_string(), "The requested resource wasn't found.");
}

TEST_F(RequestLoggerTest, FollowsTheLiveSettings) {
  start();
  observe("/a", 200);
  set_policy({5, 8, false, true});  // minLevel error, no IPs, auth ids
  observe("/b", 200);               // info: below minLevel
  http::RequestNote note;
  note.auth_collection = "users";
  note.auth_id = "u1";
  observe("/c", 500, note);
  set_policy({0, 0, true, false});  // maxDays 0: nothing is logged
  observe("/d", 500);
  json::array items = entries();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("data").at("url").as_string(), "/a");
  const json::object& data = items[1].at("data").as_object();
  EXPECT_EQ(data.at("url").as_string(), "/c");
  EXPECT_EQ(data.at("authId").as_string(), "u1");
  EXPECT_FALSE(data.contains("remoteIP"));
  EXPECT_FALSE(data.contains("userIP"));
}

TEST_F(RequestLoggerTest, SkipsOnlySuccessesOfQuietRoutes) {
  start();
  http::RequestNote quiet;
  quiet.skip_success = true;
  observe("/api/logs", 200, quiet);
  observe("/api/logs/x", 404, quiet);
  json::array items = entries();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("data").at("status").as_int64(), 404);
}

TEST_F(RequestLoggerTest, DropsAndCountsWhenTheQueueIsFull) {
  RequestLogger::Options options;
  options.max_queued = 2;
  options.max_batch = 100;
  start(options);
  observe("/1", 200);
  observe("/2", 200);
  observe("/3", 200);
  EXPECT_EQ(logger_->dropped(), 1u);
  EXPECT_EQ(entries().size(), 2u);
  observe("/4", 200);  // the queue was emptied by the write
  EXPECT_EQ(entries().size(), 3u);
  EXPECT_EQ(logger_->dropped(), 1u);
}

TEST_F(RequestLoggerTest, KeepsApplicationWarningsAtTheirLevel) {
  start();
  logger_->log(kLevelWarn, "disk almost full");
  logger_->log(kLevelDebug, "noise");  // below minLevel 0
  json::array items = entries();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("level").as_int64(), 4);
  EXPECT_EQ(items[0].at("message").as_string(), "disk almost full");
  EXPECT_TRUE(items[0].at("data").as_object().empty());
}

TEST_F(RequestLoggerTest, PrunesEntriesPastRetentionAtStart) {
  insert_blocking(store_, {{"cccccccccccccc1", "2025-12-20 00:00:00.000Z", 0, "old", "{}"},
                           {"cccccccccccccc2", "2025-12-30 00:00:00.000Z", 0, "recent", "{}"}});
  start();  // maxDays 5: before 2025-12-27 goes
  observe("/x", 200);
  json::array items = entries();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("message").as_string(), "recent");
}

// The __pbLogsCleanup__ cron job: with no periodic pruning, prune_now() deletes what passed
// retention since the start, and returns once it is done.
TEST_F(RequestLoggerTest, PruneNowDeletesEntriesThatPassedRetentionSinceStart) {
  RequestLogger::Options options;
  options.prune_interval = std::chrono::minutes(0);
  start(options);
  insert_blocking(store_, {{"dddddddddddddd1", "2025-12-30 00:00:00.000Z", 0, "aging", "{}"},
                           {"dddddddddddddd2", "2025-12-31 12:00:00.000Z", 0, "fresh", "{}"}});
  EXPECT_EQ(entries().size(), 2u);
  clock_.advance(std::chrono::hours(24 * 3 - 1));  // cutoff (maxDays 5) 2025-12-29 23:00
  logger_->prune_now();
  EXPECT_EQ(entries().size(), 2u);
  clock_.advance(std::chrono::hours(12));  // cutoff 2025-12-30 11:00
  logger_->prune_now();
  json::array items = entries();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].at("message").as_string(), "fresh");
}

TEST_F(RequestLoggerTest, StopWritesWhatIsQueued) {
  start();
  observe("/last", 200);
  logger_->stop();
  observe("/after", 200);  // refused once stopped
  LogListQuery query;
  json::object page =
      sync_wait(list_logs(store_, plans_, std::move(query), std::chrono::system_clock::now()));
  EXPECT_EQ(page.at("totalItems").as_int64(), 1);
}

// Entries of the same millisecond get distinct ids that grow in the order they were logged.
TEST_F(RequestLoggerTest, GivesEntriesOfOneMillisecondDistinctGrowingIds) {
  start();
  for (int i = 0; i < 25; ++i) observe("/api/same-millisecond", 200);
  std::vector<std::string> ids;
  for (const json::value& entry : entries()) ids.emplace_back(entry.at("id").as_string());
  ASSERT_EQ(ids.size(), 25u);
  int decreases = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    ASSERT_EQ(ids[i].size(), 15u);
    EXPECT_EQ(ids[i].find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
    EXPECT_EQ(ids[i].substr(0, 9), ids[0].substr(0, 9));  // the same millisecond
    if (i > 0 && ids[i] < ids[i - 1]) ++decreases;
  }
  // The counter starts at random and may wrap once within the 25; otherwise every step grows.
  EXPECT_LE(decreases, 1);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 25u);
}

}  // namespace
}  // namespace basalt::logs
