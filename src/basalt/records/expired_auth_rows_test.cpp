// The sweep of expired `_otps` and `_mfas` rows against a real SQLite database: the manual
// clock makes rows expire (no sleeping); the sweep deletes exactly the rows older than their
// collection's otp.duration / mfa.duration, in pages, with a delete event each.
#include "basalt/records/expired_auth_rows.hpp"

#include <gtest/gtest.h>

#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::records {
namespace {

using db::testing::sync_wait;

class HashlessPasswordsForSweep final : public PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "h:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string, std::string, std::string_view) const override {
    co_return false;
  }
};

class ExpiredAuthRowsTest : public collections::testing::CollectionServiceFixture {
 protected:
  ExpiredAuthRowsTest() {
    records_ =
        std::make_unique<RecordService>(*database_, *service_, plans_, passwords_, events_, clock_);
    events_.subscribe([this](const RecordEvent& event) {
      if (event.action == RecordAction::kDelete) deleted_.push_back(event.collection_name);
    });
    users_id_ = service_->catalog()->find("users")->id;
  }

  // An `_otps` row of `users` created now (the manual clock's now).
  void add_otp(const std::string& id) {
    const std::string now = schema::format_datetime(clock_.now());
    const std::string users = users_id_;
    sync_wait(database_->write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await tx.execute(
          "INSERT INTO _otps (id, collectionRef, recordRef, password, sentTo, created, updated) "
          "VALUES (?1, ?2, 'rec000000000001', 'h:x', '', ?3, ?3)",
          id, users, now);
    }));
  }

  std::int64_t count(std::string_view table) {
    const std::string sql = "SELECT COUNT(*) FROM " + std::string(table);
    const db::ResultSet rows = sync_wait(database_->query(sql));
    return rows[0].as_int(0);
  }

  ExpiredAuthRowsReport sweep(std::size_t page_size = 100) {
    const std::atomic<bool> no_stop{false};
    return sweep_expired_auth_rows(*records_, *service_, page_size, no_stop);
  }

  query::PlanCache plans_;
  HashlessPasswordsForSweep passwords_;
  EventBus events_;
  std::unique_ptr<RecordService> records_;
  std::string users_id_;
  std::vector<std::string> deleted_;
};

TEST_F(ExpiredAuthRowsTest, RowsOlderThanTheirCollectionsDurationGo) {
  // users: otp.duration 180 s and mfa.duration 1800 s by default.
  add_otp("otpold000000001");
  sync_wait(records_->create_mfa(users_id_, "rec000000000001", "password"));
  clock_.advance(std::chrono::seconds(100));
  add_otp("otpnew000000001");
  EXPECT_EQ(sweep().otps, 0u);  // nothing is older than 180 s yet

  clock_.advance(std::chrono::seconds(81));  // the first OTP is 181 s old, the second 81 s
  ExpiredAuthRowsReport report = sweep();
  EXPECT_EQ(report.otps, 1u);
  EXPECT_EQ(report.mfas, 0u);
  EXPECT_EQ(count("_otps"), 1);
  const db::ResultSet left = sync_wait(database_->query("SELECT id FROM _otps"));
  EXPECT_EQ(left[0].as_text(0), "otpnew000000001");

  clock_.advance(std::chrono::seconds(1800));
  report = sweep();
  EXPECT_EQ(report.otps, 1u);
  EXPECT_EQ(report.mfas, 1u);
  EXPECT_EQ(count("_otps") + count("_mfas"), 0);
  EXPECT_EQ(deleted_, (std::vector<std::string>{"_otps", "_otps", "_mfas"}));
  EXPECT_EQ(sweep().otps + sweep().mfas, 0u);  // nothing left to do
}

TEST_F(ExpiredAuthRowsTest, ManyRowsGoInPagesAndAStopEndsBetweenPages) {
  for (int i = 0; i < 7; ++i) add_otp("otp" + std::string(11, 'a') + std::to_string(i));
  clock_.advance(std::chrono::seconds(181));
  const std::atomic<bool> stopped{true};
  EXPECT_EQ(sweep_expired_auth_rows(*records_, *service_, 3, stopped).otps, 0u);
  EXPECT_EQ(count("_otps"), 7);
  EXPECT_EQ(sweep(3).otps, 7u);  // pages of 3, 3 and 1
  EXPECT_EQ(count("_otps"), 0);
  EXPECT_EQ(deleted_.size(), 7u);
}

// The cron jobs __pbOTPCleanup__ and __pbMFACleanup__ each sweep their own table only.
TEST_F(ExpiredAuthRowsTest, ASweepOfOneTableLeavesTheOther) {
  add_otp("otpold000000001");
  sync_wait(records_->create_mfa(users_id_, "rec000000000001", "password"));
  clock_.advance(std::chrono::seconds(1801));  // both expired
  const std::atomic<bool> no_stop{false};
  ExpiredAuthRowsReport report =
      sweep_expired_auth_rows(*records_, *service_, 100, no_stop, schema::kMfasCollection);
  EXPECT_EQ(report.mfas, 1u);
  EXPECT_EQ(report.otps, 0u);
  EXPECT_EQ(count("_otps"), 1);
  report = sweep_expired_auth_rows(*records_, *service_, 100, no_stop, schema::kOtpsCollection);
  EXPECT_EQ(report.otps, 1u);
  EXPECT_EQ(count("_otps") + count("_mfas"), 0);
}

}  // namespace
}  // namespace basalt::records
