// The pieces of a sign-in alert that must match PocketBase's byte for byte: the fingerprint
// stored in _authOrigins (so origins recorded by either server are recognised by the other),
// the User-Agent cut and the {ALERT_INFO} text.
#include "basalt/accounts/sign_in_alerts.hpp"

#include <gtest/gtest.h>

namespace basalt::accounts {
namespace {

TEST(SignInAlertsTest, FingerprintIsTheMd5HexOfAddressAndAgent) {
  EXPECT_EQ(origin_fingerprint("127.0.0.1", "Mozilla/5.0"), "4675dee0627a84279bd694a2eb232cd2");
  EXPECT_NE(origin_fingerprint("127.0.0.1", "Mozilla/5.0"),
            origin_fingerprint("127.0.0.2", "Mozilla/5.0"));
  EXPECT_EQ(origin_fingerprint("", "").size(), 32u);
}

TEST(SignInAlertsTest, LongAgentsAreCutAt200BytesWithAnEllipsis) {
  EXPECT_EQ(alert_user_agent("curl/8"), "curl/8");
  EXPECT_EQ(alert_user_agent(std::string(200, 'a')), std::string(200, 'a'));
  EXPECT_EQ(alert_user_agent(std::string(201, 'a')), std::string(200, 'a') + "...");
}

TEST(SignInAlertsTest, AlertInfoNamesWhenWhereAndWhat) {
  EXPECT_EQ(alert_info("2026-12-06 10:00:00.000Z", "10.0.0.1", "curl/8"),
            "2026-12-06 10:00:00.000Z - 10.0.0.1 curl/8");
}

}  // namespace
}  // namespace basalt::accounts
