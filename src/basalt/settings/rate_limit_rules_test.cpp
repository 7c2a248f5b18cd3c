// find_rate_limit_rule picks the rule PocketBase's FindRateLimitRule picks: labels in order,
// an exact label before a prefix for the same label, audiences filtered; ip_in_list matches
// addresses and CIDR subnets.
#include "basalt/settings/rate_limit_rules.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace basalt::settings {
namespace {

constexpr std::array<std::string_view, 2> kGuestsForRules{"", "@guest"};
constexpr std::array<std::string_view, 2> kAuthForRules{"", "@auth"};

std::string chosen(const std::vector<RateLimitRule>& rules, const std::vector<std::string>& labels,
                   std::span<const std::string_view> audiences) {
  const RateLimitRule* rule = find_rate_limit_rule(rules, labels, audiences);
  return rule ? rule->label + "|" + rule->audience : "none";
}

// The labels of a password sign-in to `users` (a collection route with two tags).
const std::vector<std::string> kSignInLabels = {"users:authWithPassword",
                                                "users:auth",
                                                "*:authWithPassword",
                                                "*:auth",
                                                "POST /api/collections/users/auth-with-password",
                                                "/api/collections/users/auth-with-password"};

TEST(RateLimitRulesTest, TheMostSpecificLabelWins) {
  std::vector<RateLimitRule> rules = {
      {"/api/", "", 10, 300}, {"*:auth", "", 3, 2}, {"users:auth", "", 3, 5}};
  EXPECT_EQ(chosen(rules, kSignInLabels, kGuestsForRules), "users:auth|");
  rules.pop_back();
  EXPECT_EQ(chosen(rules, kSignInLabels, kGuestsForRules), "*:auth|");
  rules.pop_back();
  EXPECT_EQ(chosen(rules, kSignInLabels, kGuestsForRules), "/api/|");
  rules.push_back({"POST /api/collections/", "", 1, 1});
  EXPECT_EQ(chosen(rules, kSignInLabels, kGuestsForRules), "POST /api/collections/|");
  // Labels are tried in order, each exactly then by prefix: the method's prefix comes before
  // the bare path's exact label.
  rules.push_back({"/api/collections/users/auth-with-password", "", 1, 1});
  EXPECT_EQ(chosen(rules, kSignInLabels, kGuestsForRules), "POST /api/collections/|");
  rules.push_back({"POST /api/collections/users/auth-with-password", "", 1, 1});
  EXPECT_EQ(chosen(rules, kSignInLabels, kGuestsForRules),
            "POST /api/collections/users/auth-with-password|");
}

TEST(RateLimitRulesTest, APrefixMatchesWholeSegmentsOnly) {
  const std::vector<RateLimitRule> rules = {{"/api/batch/", "", 1, 1}};
  EXPECT_EQ(chosen(rules, {"POST /api/batch", "/api/batch"}, kGuestsForRules), "/api/batch/|");
  EXPECT_EQ(chosen(rules, {"POST /api/batchx", "/api/batchx"}, kGuestsForRules), "none");
}

TEST(RateLimitRulesTest, AudiencesFilterRules) {
  const std::vector<RateLimitRule> rules = {{"*:auth", "@auth", 1, 1}, {"*:auth", "@guest", 2, 1}};
  EXPECT_EQ(chosen(rules, kSignInLabels, kGuestsForRules), "*:auth|@guest");
  EXPECT_EQ(chosen(rules, kSignInLabels, kAuthForRules), "*:auth|@auth");
  EXPECT_EQ(chosen({{"/api/", "@auth", 1, 1}}, {"GET /api/x", "/api/x"}, kGuestsForRules), "none");
}

TEST(RateLimitRulesTest, ExcludedAddressesAndSubnets) {
  const std::vector<std::string> list = {"10.0.0.0/8", "192.168.1.7", "2001:db8::/32"};
  EXPECT_TRUE(ip_in_list("10.1.2.3", list));
  EXPECT_TRUE(ip_in_list("192.168.1.7", list));
  EXPECT_FALSE(ip_in_list("192.168.1.8", list));
  EXPECT_TRUE(ip_in_list("2001:db8:1::5", list));
  EXPECT_FALSE(ip_in_list("2001:db9::5", list));
  EXPECT_FALSE(ip_in_list("11.0.0.1", list));
  EXPECT_FALSE(ip_in_list("not an ip", list));
  EXPECT_FALSE(ip_in_list("10.1.2.3", {}));
}

}  // namespace
}  // namespace basalt::settings
