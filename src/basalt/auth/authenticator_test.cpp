// The Authenticator against a real SQLite database and record service: still_holds(), the
// re-check that long-lived subscribers make before every run instead of verifying their token
// again, holds exactly while nothing that could change the verdict happened — and an update,
// a password change, a delete, a collection change, the token's expiry or an invalidate_all()
// each make it answer false at once, after which authenticate() gives the new verdict.
#include "basalt/auth/authenticator.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/event_bus.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

constexpr std::chrono::system_clock::time_point kAuthenticatorTestStart{
    std::chrono::sys_days{std::chrono::year{2024} / 5 / 6} + std::chrono::hours(7)};

// The record service's password port without hashing (hashing has its own tests).
class AuthenticatorTestPasswords final : public records::PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "hashed:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string plain, std::string stored,
                                      std::string_view) const override {
    co_return stored == "hashed:" + plain;
  }
};

class AuthenticatorTest : public ::testing::Test {
 protected:
  // A fresh database with one user, Ann; an auth record cache of 64 entries per thread.
  AuthenticatorTest() {
    db::SqliteOptions options;
    options.data_dir = dir_.path();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
    migrations_ = collections::system_migrations(database_->dialect(), clock_);
    sync_wait(db::apply_migrations(*database_, migrations_));
    collections_ = std::make_unique<collections::CollectionService>(*database_, clock_);
    sync_wait(collections_->reload());
    records_ = std::make_unique<records::RecordService>(*database_, *collections_, plans_,
                                                        passwords_, events_, clock_);
    cache_ = std::make_unique<AuthRecordCache>(64);
    authenticator_ =
        std::make_unique<Authenticator>(*database_, *collections_, plans_, events_, *cache_);
    user_id_ = std::string(
        write(records_->create(superuser(), "users",
                               body(R"({"email":"ann@example.com","password":"secret123",)"
                                    R"("passwordConfirm":"secret123","name":"Ann"})"),
                               {}))
            .at("id")
            .as_string());
  }

  ~AuthenticatorTest() override {
    authenticator_.reset();
    records_.reset();
  }

  records::Caller superuser() {
    catalog_ = collections_->catalog();
    return records::Caller{catalog_->find("_superusers"), &superuser_record_};
  }
  static records::WriteInput body(std::string_view text) {
    records::WriteInput input;
    input.body = json::parse(text).as_object();
    return input;
  }
  json::object write(boost::asio::awaitable<records::RecordResult> call) {
    return sync_wait(std::move(call)).record.values;
  }

  // A token for the user as it is stored now (its current tokenKey).
  std::string token() {
    const auto catalog = collections_->catalog();
    const schema::Collection& users = *catalog->find("users");
    db::ResultSet rows =
        sync_wait(database_->query("SELECT tokenKey FROM users WHERE id = ?1", user_id_));
    const json::object stored{{"id", user_id_}, {"tokenKey", rows[0].as_text(0)}};
    return issue_auth_token(users, stored, clock_.now());
  }
  AuthContext authenticate(const std::string& value) {
    return sync_wait(authenticator_->authenticate(value, clock_.now()));
  }

  core::ManualClock clock_{kAuthenticatorTestStart};
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::vector<db::Migration> migrations_;
  std::unique_ptr<collections::CollectionService> collections_;
  query::PlanCache plans_;
  AuthenticatorTestPasswords passwords_;
  records::EventBus events_;
  std::unique_ptr<records::RecordService> records_;
  std::unique_ptr<AuthRecordCache> cache_;
  std::unique_ptr<Authenticator> authenticator_;
  std::shared_ptr<const collections::Catalog> catalog_;
  json::object superuser_record_{{"id", "su0000000000001"}};
  std::string user_id_;
};

TEST_F(AuthenticatorTest, AVerifiedUserHoldsWhileNothingChanges) {
  const std::string bearer = token();
  const AuthContext verified = authenticate(bearer);
  ASSERT_FALSE(verified.is_guest());
  EXPECT_TRUE(authenticator_->still_holds(verified, clock_.now()));
  clock_.advance(std::chrono::hours(1));
  EXPECT_TRUE(authenticator_->still_holds(verified, clock_.now()));
  // Another record's change leaves it.
  write(records_->create(superuser(), "users",
                         body(R"({"email":"bob@example.com","password":"secret123",)"
                              R"("passwordConfirm":"secret123"})"),
                         {}));
  EXPECT_TRUE(authenticator_->still_holds(verified, clock_.now()));
}

TEST_F(AuthenticatorTest, AGuestNeverHolds) {
  EXPECT_FALSE(authenticator_->still_holds(AuthContext{}, clock_.now()));
}

TEST_F(AuthenticatorTest, AnUpdateOfTheRecordEndsItAndTheNextCheckSeesTheNewRecord) {
  const std::string bearer = token();
  const AuthContext verified = authenticate(bearer);
  write(records_->update(superuser(), "users", user_id_, body(R"({"name":"Ann B"})"), {}));
  EXPECT_FALSE(authenticator_->still_holds(verified, clock_.now()));
  const AuthContext again = authenticate(bearer);  // the token still verifies: a new record
  ASSERT_FALSE(again.is_guest());
  EXPECT_EQ(again.record->at("name").as_string(), "Ann B");
  EXPECT_TRUE(authenticator_->still_holds(again, clock_.now()));
}

TEST_F(AuthenticatorTest, APasswordChangeRevokesTheTokenAtTheNextCheck) {
  const std::string bearer = token();
  const AuthContext verified = authenticate(bearer);
  write(records_->update(superuser(), "users", user_id_,
                         body(R"({"password":"another123","passwordConfirm":"another123"})"), {}));
  EXPECT_FALSE(authenticator_->still_holds(verified, clock_.now()));
  EXPECT_TRUE(authenticate(bearer).is_guest());  // a new tokenKey: the old token is refused
}

TEST_F(AuthenticatorTest, ADeleteRevokesTheTokenAtTheNextCheck) {
  const std::string bearer = token();
  const AuthContext verified = authenticate(bearer);
  sync_wait(records_->remove(superuser(), "users", user_id_, {}));
  EXPECT_FALSE(authenticator_->still_holds(verified, clock_.now()));
  EXPECT_TRUE(authenticate(bearer).is_guest());
}

TEST_F(AuthenticatorTest, TheTokensExpiryEndsIt) {
  const std::string bearer = token();
  const AuthContext verified = authenticate(bearer);
  const auto expires =
      std::chrono::system_clock::time_point(std::chrono::seconds(verified.claims.expires));
  clock_.advance(expires - clock_.now() - std::chrono::seconds(1));
  EXPECT_TRUE(authenticator_->still_holds(verified, clock_.now()));
  clock_.advance(std::chrono::seconds(1));
  EXPECT_FALSE(authenticator_->still_holds(verified, clock_.now()));
  EXPECT_TRUE(authenticate(bearer).is_guest());
}

TEST_F(AuthenticatorTest, AnAuthRuleThatNowRefusesTheUserEndsIt) {
  const std::string bearer = token();
  const AuthContext verified = authenticate(bearer);
  sync_wait(collections_->update("users", json::parse(R"({"authRule":"verified = true"})")));
  EXPECT_FALSE(authenticator_->still_holds(verified, clock_.now()));
  const AuthContext again = authenticate(bearer);
  EXPECT_TRUE(again.is_guest());
  EXPECT_TRUE(again.refused_by_auth_rule);
}

TEST_F(AuthenticatorTest, InvalidateAllEndsIt) {
  const AuthContext verified = authenticate(token());
  cache_->invalidate_all();
  EXPECT_FALSE(authenticator_->still_holds(verified, clock_.now()));
}

TEST_F(AuthenticatorTest, WithoutACacheNothingHoldsAndEveryCheckVerifies) {
  authenticator_.reset();
  cache_ = std::make_unique<AuthRecordCache>(0);
  authenticator_ =
      std::make_unique<Authenticator>(*database_, *collections_, plans_, events_, *cache_);
  const std::string bearer = token();
  const AuthContext verified = authenticate(bearer);
  ASSERT_FALSE(verified.is_guest());
  EXPECT_FALSE(authenticator_->still_holds(verified, clock_.now()));
}

}  // namespace
}  // namespace basalt::auth
