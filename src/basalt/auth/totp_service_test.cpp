// TotpService against a real SQLite database with a ManualClock: enrollment, confirmation,
// codes consumed once, the skew window, recovery codes, the attempts limit, disabling with the
// password, and the row leaving with its record.
#include "basalt/auth/totp_service.hpp"

#include <gtest/gtest.h>

#include "basalt/auth/memory_rate_limiter.hpp"
#include "basalt/auth/totp.hpp"
#include "basalt/collections/testing/collection_service_fixture.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

class PrefixPasswordsForTotp final : public records::PasswordPort {
 public:
  boost::asio::awaitable<std::string> hash(std::string plain, std::string_view) const override {
    co_return "hashed:" + plain;
  }
  boost::asio::awaitable<bool> verify(std::string plain, std::string stored,
                                      std::string_view) const override {
    co_return stored == "hashed:" + plain;
  }
};

std::array<unsigned char, ServerKey::kBytes> totp_test_key() {
  std::array<unsigned char, ServerKey::kBytes> bytes{};
  bytes.fill(7);
  return bytes;
}

class TotpServiceTest : public collections::testing::CollectionServiceFixture {
 protected:
  TotpServiceTest() {
    MemoryRateLimiterOptions options;
    options.limit = {5, std::chrono::minutes(5)};
    attempts_ = std::make_unique<MemoryRateLimiter>(options);
    totp_ = std::make_unique<TotpService>(*database_, key_, *attempts_, passwords_, clock_);
    users_ = *service_->catalog()->find("users");
  }

  std::string code_at(std::int64_t offset) {
    const auto secret = base32_decode(secret_);
    return totp_code(*secret, totp_step(clock_.now()) + offset, kTotpDigits);
  }

  // The ApiError status of `work`, or 0 when it succeeds.
  template <typename Awaitable>
  int status_of(Awaitable work) {
    try {
      sync_wait(std::move(work));
      return 0;
    } catch (const core::ApiError& error) {
      return error.status();
    }
  }

  std::vector<std::string> enroll_and_confirm() {
    const TotpEnrollment enrollment = sync_wait(totp_->enroll(users_, ann_, "Acme"));
    secret_ = enrollment.secret;
    return sync_wait(totp_->confirm(users_, "ann000000000001", code_at(0)));
  }

  ServerKey key_{totp_test_key()};
  PrefixPasswordsForTotp passwords_;
  std::unique_ptr<MemoryRateLimiter> attempts_;
  std::unique_ptr<TotpService> totp_;
  schema::Collection users_;
  std::string secret_;
  const json::object ann_{
      {"id", "ann000000000001"}, {"email", "ann@example.com"}, {"password", "hashed:pw"}};
};

TEST_F(TotpServiceTest, EnrollmentIsPendingUntilAValidCodeConfirmsIt) {
  const TotpEnrollment enrollment = sync_wait(totp_->enroll(users_, ann_, "Acme"));
  secret_ = enrollment.secret;
  EXPECT_EQ(secret_.size(), 32u);
  EXPECT_EQ(enrollment.uri, "otpauth://totp/Acme:ann%40example.com?secret=" + secret_ +
                                "&issuer=Acme&period=30&digits=6&algorithm=SHA1");
  TotpStatus status = sync_wait(totp_->status(users_, "ann000000000001"));
  EXPECT_TRUE(status.pending);
  EXPECT_FALSE(status.enabled);
  // Not usable for sign-in while pending.
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(0))), 400);
  EXPECT_EQ(status_of(totp_->confirm(users_, "ann000000000001", code_at(3))), 400);
  const auto codes = sync_wait(totp_->confirm(users_, "ann000000000001", code_at(0)));
  EXPECT_EQ(codes.size(), kRecoveryCodes);
  status = sync_wait(totp_->status(users_, "ann000000000001"));
  EXPECT_TRUE(status.enabled);
  EXPECT_EQ(status.recovery_codes_left, kRecoveryCodes);
  // The stored secret is sealed: the base32 text appears nowhere in the row.
  const db::ResultSet rows = sync_wait(database_->query("SELECT secret, recoveryCodes FROM _totp"));
  EXPECT_EQ(std::string(rows[0].as_text(0)).find(secret_), std::string::npos);
  EXPECT_EQ(std::string(rows[0].as_text(1)).find(codes[0]), std::string::npos);
  EXPECT_EQ(status_of(totp_->enroll(users_, ann_, "Acme")), 400);  // already enabled
}

TEST_F(TotpServiceTest, EachCodeIsAcceptedOnceWithinOneStepOfSkew) {
  enroll_and_confirm();
  // The confirming code's step is used; the same code again is a replay.
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(0))), 400);
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(2))), 400);
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(1))), 0);
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(1))), 400);
  clock_.advance(std::chrono::seconds(60));  // two steps later
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(-2))), 400);
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(0))), 0);
}

TEST_F(TotpServiceTest, RecoveryCodesWorkOnceEach) {
  const auto codes = enroll_and_confirm();
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", codes[3])), 0);
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", codes[3])), 400);
  std::string typed = codes[4];
  typed.erase(typed.find('-'), 1);
  for (char& c : typed) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", typed)), 0);
  EXPECT_EQ(sync_wait(totp_->status(users_, "ann000000000001")).recovery_codes_left,
            kRecoveryCodes - 2);
}

TEST_F(TotpServiceTest, WrongCodesArePastTheLimitRefusedWith429) {
  enroll_and_confirm();
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", "000000x")), 400);
  }
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(1))), 429);
  clock_.advance(std::chrono::minutes(1));  // one failure drained (5 per 5 minutes)
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", code_at(1))), 0);
  EXPECT_EQ(status_of(totp_->verify(users_, "ann000000000001", std::string(100, '1'))), 400);
}

TEST_F(TotpServiceTest, DisableNeedsThePasswordAndTheRowLeavesWithItsRecord) {
  enroll_and_confirm();
  EXPECT_EQ(status_of(totp_->disable(users_, ann_, "wrong", "127.0.0.1")), 400);
  EXPECT_TRUE(sync_wait(totp_->status(users_, "ann000000000001")).enabled);
  EXPECT_EQ(status_of(totp_->disable(users_, ann_, "pw", "127.0.0.1")), 0);
  EXPECT_FALSE(sync_wait(totp_->status(users_, "ann000000000001")).enabled);

  // A deleted auth record takes its TOTP row with it (records/cascade.cpp).
  query::PlanCache plans;
  records::EventBus events;
  records::RecordService records(*database_, *service_, plans, passwords_, events, clock_);
  const json::object superuser{{"id", "su0000000000001"}};
  auto catalog = service_->catalog();
  const records::Caller admin{catalog->find("_superusers"), &superuser};
  records::WriteInput input;
  input.body = {{"id", "ann000000000001"},
                {"email", "ann@example.com"},
                {"password", "pw123456"},
                {"passwordConfirm", "pw123456"}};
  sync_wait(records.create(admin, "users", std::move(input), {}));
  enroll_and_confirm();
  sync_wait(records.remove(admin, "users", "ann000000000001", {}));
  EXPECT_FALSE(sync_wait(totp_->status(users_, "ann000000000001")).enabled);
  EXPECT_TRUE(sync_wait(database_->query("SELECT id FROM _totp")).empty());
}

}  // namespace
}  // namespace basalt::auth
