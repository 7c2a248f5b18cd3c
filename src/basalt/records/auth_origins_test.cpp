// RecordService::note_auth_origin against a real SQLite database with the manual clock: what
// PocketBase's authAlert decides from `_authOrigins` - a first sign-in, a known device (its
// `updated` moves), a new one (inserted, the oldest beyond five dropped) - and a new password
// forgetting the devices.
#include <gtest/gtest.h>

#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class TaggedPasswordsForOrigins final : public PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "h:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string, std::string, std::string_view) const override {
    co_return false;
  }
};

class AuthOriginsTest : public collections::testing::CollectionServiceFixture {
 protected:
  AuthOriginsTest() {
    records_ =
        std::make_unique<RecordService>(*database_, *service_, plans_, passwords_, events_, clock_);
    users_id_ = service_->catalog()->find("users")->id;
  }

  AuthOriginNote note(const std::string& fingerprint) {
    clock_.advance(std::chrono::seconds(1));  // distinct `created` instants
    return sync_wait(records_->note_auth_origin(users_id_, "ann000000000001", fingerprint));
  }

  // The record's fingerprints, newest first.
  std::vector<std::string> fingerprints() {
    const db::ResultSet rows = sync_wait(
        database_->query("SELECT fingerprint FROM _authOrigins WHERE recordRef = 'ann000000000001' "
                         "ORDER BY created DESC"));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < rows.size(); ++i) out.emplace_back(rows[i].as_text(0));
    return out;
  }

  query::PlanCache plans_;
  TaggedPasswordsForOrigins passwords_;
  EventBus events_;
  std::unique_ptr<RecordService> records_;
  std::string users_id_;
};

TEST_F(AuthOriginsTest, FirstKnownAndNewDevices) {
  AuthOriginNote first = note("laptop");
  EXPECT_TRUE(first.first_sign_in);
  EXPECT_TRUE(first.new_origin);
  AuthOriginNote again = note("laptop");
  EXPECT_FALSE(again.first_sign_in);
  EXPECT_FALSE(again.new_origin);
  const db::ResultSet row =
      sync_wait(database_->query("SELECT created, updated FROM _authOrigins"));
  EXPECT_LT(row[0].as_text(0), row[0].as_text(1));  // the known device's `updated` moved
  AuthOriginNote phone = note("phone");
  EXPECT_FALSE(phone.first_sign_in);
  EXPECT_TRUE(phone.new_origin);
  EXPECT_EQ(fingerprints(), (std::vector<std::string>{"phone", "laptop"}));
}

TEST_F(AuthOriginsTest, AtMostFiveDevicesTheOldestGoFirst) {
  for (const char* device : {"d1", "d2", "d3", "d4", "d5"}) note(device);
  note("d1");  // known: nothing is dropped, and d1 stays the oldest by `created`
  EXPECT_EQ(fingerprints().size(), 5u);
  note("d6");
  EXPECT_EQ(fingerprints(), (std::vector<std::string>{"d6", "d5", "d4", "d3", "d2"}));
}

TEST_F(AuthOriginsTest, ANewPasswordForgetsTheDevices) {
  const json::object admin_record{{"id", "su0000000000001"}};
  auto catalog = service_->catalog();
  const Caller admin{catalog->find("_superusers"), &admin_record};
  WriteInput create;
  create.body = {{"id", "ann000000000001"},
                 {"email", "ann@example.com"},
                 {"password", "first-pass"},
                 {"passwordConfirm", "first-pass"}};
  sync_wait(records_->create(admin, "users", std::move(create), {}));
  note("laptop");
  WriteInput rename;
  rename.body = {{"emailVisibility", true}};
  sync_wait(records_->update(admin, "users", "ann000000000001", std::move(rename), {}));
  EXPECT_EQ(fingerprints().size(), 1u);  // other changes keep them
  WriteInput change;
  change.body = {{"password", "second-pass"}, {"passwordConfirm", "second-pass"}};
  sync_wait(records_->update(admin, "users", "ann000000000001", std::move(change), {}));
  EXPECT_TRUE(fingerprints().empty());
  EXPECT_TRUE(note("laptop").first_sign_in);
}

}  // namespace
}  // namespace basalt::records
