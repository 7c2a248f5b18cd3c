// MfaGate against a real SQLite database with a ManualClock: a first method opens an _mfas
// session, a different second one closes it, and the same method, another record, an unknown or
// an expired session are refused with PocketBase's messages.
#include "basalt/auth/mfa_gate.hpp"

#include <gtest/gtest.h>

#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/db/testing/sync_wait.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class PrefixPasswordsForMfa final : public records::PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "h:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string, std::string, std::string_view) const override {
    co_return false;
  }
};

class MfaGateTest : public collections::testing::CollectionServiceFixture {
 protected:
  MfaGateTest() {
    records_ = std::make_unique<records::RecordService>(*database_, *service_, plans_, passwords_,
                                                        events_, clock_);
    gate_ = std::make_unique<MfaGate>(*database_, *records_, plans_, clock_);
    users_ = *service_->catalog()->find("users");
    users_.auth.mfa = {true, 600, ""};
  }

  // The gate's answer for `record` signing in with `method` and `mfa_id`; the ApiError's
  // message when it throws.
  std::string attempt(const json::object& record, std::string_view method,
                      std::string_view mfa_id = "", bool second_only = false,
                      const records::Caller& caller = {}) {
    auto catalog = service_->catalog();
    query::RequestInfo info;
    MfaAttempt attempt{catalog.get(), &users_, &record, method,
                       mfa_id,        &caller, &info,   second_only};
    try {
      auto result = sync_wait(gate_->check(attempt));
      return result ? "mfa:" + *result : "done";
    } catch (const core::ApiError& error) {
      return std::to_string(error.status()) + " " + error.message();
    }
  }

  bool session_exists(std::string_view id) {
    return sync_wait(records_->find_mfa(std::string(id))).has_value();
  }

  query::PlanCache plans_;
  PrefixPasswordsForMfa passwords_;
  records::EventBus events_;
  std::unique_ptr<records::RecordService> records_;
  std::unique_ptr<MfaGate> gate_;
  schema::Collection users_;
  const json::object ann_{{"id", "ann000000000001"}, {"email", "ann@example.com"}};
  const json::object bob_{{"id", "bob000000000001"}, {"email", "bob@example.com"}};
};

TEST_F(MfaGateTest, ADifferentSecondMethodCompletesAndEndsTheSession) {
  const std::string first = attempt(ann_, kMfaMethodPassword);
  ASSERT_EQ(first.rfind("mfa:", 0), 0u) << first;
  const std::string id = first.substr(4);
  EXPECT_TRUE(session_exists(id));
  const auto row = sync_wait(records_->find_mfa(id));
  EXPECT_EQ(row->collection_ref, users_.id);
  EXPECT_EQ(row->record_ref, "ann000000000001");
  EXPECT_EQ(row->method, "password");
  EXPECT_EQ(attempt(ann_, kMfaMethodPassword, id),
            "400 A different authentication method is required.");
  EXPECT_EQ(attempt(bob_, kMfaMethodTotp, id), "400 Invalid MFA session.");
  EXPECT_EQ(attempt(ann_, kMfaMethodTotp, id), "done");
  EXPECT_FALSE(session_exists(id));
  EXPECT_EQ(attempt(ann_, kMfaMethodTotp, id), "400 Invalid or expired MFA session.");
}

TEST_F(MfaGateTest, ASessionExpiresAfterTheCollectionsDuration) {
  const std::string id = attempt(ann_, kMfaMethodPassword).substr(4);
  clock_.advance(std::chrono::seconds(600));
  EXPECT_TRUE(session_exists(id));
  const std::string still = attempt(ann_, kMfaMethodOtp, id);
  EXPECT_EQ(still, "done");
  const std::string next = attempt(ann_, kMfaMethodPassword).substr(4);
  clock_.advance(std::chrono::seconds(601));
  EXPECT_EQ(attempt(ann_, kMfaMethodOtp, next), "400 Invalid or expired MFA session.");
  EXPECT_FALSE(session_exists(next));  // the expired row is removed
}

TEST_F(MfaGateTest, UnknownOrOverlongIdsNameNoSession) {
  EXPECT_EQ(attempt(ann_, kMfaMethodOtp, "nosuchsession00"), "400 Invalid or expired MFA session.");
  EXPECT_EQ(attempt(ann_, kMfaMethodOtp, std::string(300, 'a')),
            "400 Invalid or expired MFA session.");
}

TEST_F(MfaGateTest, TheRuleDecidesWhoNeedsASecondMethod) {
  users_.auth.mfa.rule = "email = 'ann@example.com'";
  sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute("INSERT INTO users (id, email, tokenKey) VALUES (?1, ?2, ?1), (?3, ?4, ?3)",
                        std::string("ann000000000001"), std::string("ann@example.com"),
                        std::string("bob000000000001"), std::string("bob@example.com"));
  }));
  EXPECT_EQ(attempt(ann_, kMfaMethodPassword).rfind("mfa:", 0), 0u);
  EXPECT_EQ(attempt(bob_, kMfaMethodPassword), "done");
  // A second-factor-only method never signs in alone, whether MFA applies or not.
  EXPECT_EQ(attempt(bob_, kMfaMethodTotp, "", true), "400 Invalid or expired MFA session.");
  EXPECT_EQ(attempt(ann_, kMfaMethodTotp, "", true), "400 Invalid or expired MFA session.");
  users_.auth.mfa.enabled = false;
  EXPECT_EQ(attempt(ann_, kMfaMethodPassword), "done");
}

// PocketBase's wantsMFA: the signing-in record is the row the rule is checked on, and
// @request.auth is the request's own caller - a guest unless it sent a token.
TEST_F(MfaGateTest, RequestAuthInTheRuleIsTheRequestsCaller) {
  users_.auth.mfa.rule = "@request.auth.id != ''";
  sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute("INSERT INTO users (id, email, tokenKey) VALUES (?1, ?2, ?1)",
                        std::string("ann000000000001"), std::string("ann@example.com"));
  }));
  EXPECT_EQ(attempt(ann_, kMfaMethodPassword), "done");  // a guest signing in
  auto catalog = service_->catalog();
  const records::Caller signed_in{catalog->find("users"), &ann_};
  EXPECT_EQ(attempt(ann_, kMfaMethodPassword, "", false, signed_in).rfind("mfa:", 0), 0u);
  // No superuser bypass in the MFA rule (unlike the authRule): it is only a filter.
  users_.auth.mfa.rule = "@request.auth.collectionName = 'users'";
  const json::object admin_record{{"id", "su0000000000001"}};
  const records::Caller admin{catalog->find("_superusers"), &admin_record};
  EXPECT_EQ(attempt(ann_, kMfaMethodPassword, "", false, admin), "done");
  EXPECT_EQ(attempt(ann_, kMfaMethodPassword, "", false, signed_in).rfind("mfa:", 0), 0u);
}

TEST_F(MfaGateTest, ANewPasswordEndsTheRecordsSessions) {
  const json::object admin_record{{"id", "su0000000000001"}};
  auto catalog = service_->catalog();
  const records::Caller admin{catalog->find("_superusers"), &admin_record};
  records::WriteInput create;
  create.body = {{"id", "ann000000000001"},
                 {"email", "ann@example.com"},
                 {"password", "first-pass"},
                 {"passwordConfirm", "first-pass"}};
  sync_wait(records_->create(admin, "users", std::move(create), {}));
  const std::string id = attempt(ann_, kMfaMethodPassword).substr(4);
  records::WriteInput rename;
  rename.body = {{"name", "Ann"}};
  sync_wait(records_->update(admin, "users", "ann000000000001", std::move(rename), {}));
  EXPECT_TRUE(session_exists(id));  // other changes keep it
  records::WriteInput change;
  change.body = {{"password", "second-pass"}, {"passwordConfirm", "second-pass"}};
  sync_wait(records_->update(admin, "users", "ann000000000001", std::move(change), {}));
  EXPECT_FALSE(session_exists(id));
}

}  // namespace
}  // namespace basalt::auth
