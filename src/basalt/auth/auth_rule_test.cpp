// auth_rule_allows against a real SQLite database: the rule's @now is the instant the caller
// gives (its core::Clock), not the system's.
#include "basalt/auth/auth_rule.hpp"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>

#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/db/testing/sync_wait.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class AuthRuleTest : public collections::testing::CollectionServiceFixture {
 protected:
  // A users record created at kStart, and the users collection with `rule` as its authRule,
  // checked for a request made by `caller` (a guest by default).
  bool allows(std::string_view rule, std::chrono::system_clock::time_point now,
              const records::Caller& caller = {}) {
    sync_wait(database_->write([](db::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await tx.execute(
          "INSERT OR IGNORE INTO users (id, email, created, updated) VALUES (?1, ?2, ?3, ?3)",
          std::string("u00000000000001"), std::string("rule@example.com"), std::string(kStartText));
    }));
    const json::object record{{"id", "u00000000000001"},
                              {"email", "rule@example.com"},
                              {"created", kStartText},
                              {"updated", kStartText}};
    auto catalog = service_->catalog();
    schema::Collection users = *catalog->find("users");
    users.auth.auth_rule = std::string(rule);
    return sync_wait(
        auth_rule_allows(*database_, plans_, *catalog, users, record, caller, {}, now));
  }

  query::PlanCache plans_;
};

TEST_F(AuthRuleTest, AtNowIsTheInstantTheCallerGives) {
  EXPECT_TRUE(allows("created = @now", kStart));
  EXPECT_FALSE(allows("created = @now", kStart + std::chrono::seconds(1)));
  EXPECT_TRUE(allows("created < @now", kStart + std::chrono::seconds(1)));
}

// As PocketBase's CanAccessRecord at sign-in: the record is the row, @request.auth is the
// request's own caller, and a superuser caller passes whatever the rule.
TEST_F(AuthRuleTest, RequestAuthIsTheRequestsCallerNotTheSigningInRecord) {
  EXPECT_TRUE(allows("email = 'rule@example.com'", kStart));
  EXPECT_FALSE(allows("@request.auth.id != ''", kStart));  // a guest's sign-in
  auto catalog = service_->catalog();
  const json::object self_record{{"id", "u00000000000001"}, {"email", "rule@example.com"}};
  const records::Caller self{catalog->find("users"), &self_record};
  EXPECT_TRUE(allows("@request.auth.id != ''", kStart, self));
  EXPECT_TRUE(allows("@request.auth.id = id", kStart, self));
  const json::object admin_record{{"id", "su0000000000001"}};
  const records::Caller admin{catalog->find("_superusers"), &admin_record};
  EXPECT_TRUE(allows("@request.auth.id = 'nobody'", kStart, admin));
}

}  // namespace
}  // namespace basalt::auth
