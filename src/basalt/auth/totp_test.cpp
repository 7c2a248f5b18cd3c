// RFC 6238 against its published test vectors (Appendix B, SHA-1, the 20-byte ASCII secret
// "12345678901234567890", 8 digits), the 6-digit truncation, the +-1 step window and replay.
#include "basalt/auth/totp.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace basalt::auth {
namespace {

const std::string kRfcSecretText = "12345678901234567890";

std::span<const std::uint8_t> rfc_secret() {
  return {reinterpret_cast<const std::uint8_t*>(kRfcSecretText.data()), kRfcSecretText.size()};
}

std::chrono::system_clock::time_point at_unix(std::int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

TEST(TotpTest, Rfc6238AppendixBSha1Vectors) {
  const std::vector<std::pair<std::int64_t, std::string>> vectors = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (const auto& [time, expected] : vectors) {
    // The step straight from the seconds: year 2603 is past system_clock's nanosecond range.
    EXPECT_EQ(totp_code(rfc_secret(), time / kTotpPeriodSeconds, 8), expected) << time;
    if (time < 4'000'000'000) {
      EXPECT_EQ(totp_step(at_unix(time)), time / kTotpPeriodSeconds);
    }
  }
}

TEST(TotpTest, SixDigitsAreTheLastSixOfTheSameTruncation) {
  // The dynamic truncation is taken modulo 10^6 instead of 10^8.
  EXPECT_EQ(totp_code(rfc_secret(), totp_step(at_unix(59)), 6), "287082");
  EXPECT_EQ(totp_code(rfc_secret(), totp_step(at_unix(1111111109)), 6), "081804");
  EXPECT_EQ(totp_code(rfc_secret(), totp_step(at_unix(2000000000)), 6), "279037");
  EXPECT_THROW(totp_code(rfc_secret(), 1, 5), std::invalid_argument);
}

TEST(TotpTest, StepsAreThirtySecondsFromTheEpoch) {
  EXPECT_EQ(totp_step(at_unix(0)), 0);
  EXPECT_EQ(totp_step(at_unix(29)), 0);
  EXPECT_EQ(totp_step(at_unix(30)), 1);
  EXPECT_EQ(totp_step(at_unix(1111111109)), 37037036);
}

TEST(TotpTest, OneStepOfSkewEitherWayIsAccepted) {
  const std::int64_t now = 37037036;
  for (std::int64_t offset : {-1, 0, 1}) {
    const std::string code = totp_code(rfc_secret(), now + offset, 6);
    EXPECT_EQ(match_totp(rfc_secret(), code, now, 0), now + offset) << offset;
  }
  for (std::int64_t offset : {-2, 2}) {
    const std::string code = totp_code(rfc_secret(), now + offset, 6);
    EXPECT_EQ(match_totp(rfc_secret(), code, now, 0), std::nullopt) << offset;
  }
}

TEST(TotpTest, AStepAtOrBeforeTheLastUsedOneIsRefused) {
  const std::int64_t now = 37037036;
  const std::string code = totp_code(rfc_secret(), now, 6);
  EXPECT_EQ(match_totp(rfc_secret(), code, now, now - 1), now);
  EXPECT_EQ(match_totp(rfc_secret(), code, now, now), std::nullopt);  // the replay
  const std::string earlier = totp_code(rfc_secret(), now - 1, 6);
  EXPECT_EQ(match_totp(rfc_secret(), earlier, now, now), std::nullopt);
  const std::string later = totp_code(rfc_secret(), now + 1, 6);
  EXPECT_EQ(match_totp(rfc_secret(), later, now, now), now + 1);
}

TEST(TotpTest, MalformedCodesMatchNothing) {
  const std::int64_t now = 37037036;
  const std::string code = totp_code(rfc_secret(), now, 6);
  EXPECT_EQ(match_totp(rfc_secret(), code + "0", now, 0), std::nullopt);
  EXPECT_EQ(match_totp(rfc_secret(), code.substr(1), now, 0), std::nullopt);
  EXPECT_EQ(match_totp(rfc_secret(), "12a456", now, 0), std::nullopt);
  EXPECT_EQ(match_totp(rfc_secret(), "", now, 0), std::nullopt);
}

TEST(TotpTest, Base32RoundTripsAndReadsWhatAppsShow) {
  EXPECT_EQ(base32_encode(rfc_secret()), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  const auto decoded = base32_decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq====");
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::string(decoded->begin(), decoded->end()), kRfcSecretText);
  EXPECT_EQ(base32_decode("GEZ1"), std::nullopt);
  const std::vector<std::uint8_t> odd{0xff, 0x01, 0x80};
  EXPECT_EQ(base32_decode(base32_encode(odd)), odd);
}

TEST(TotpTest, UriFollowsTheKeyUriFormat) {
  EXPECT_EQ(totp_uri("My App", "ann@example.com", "ABC"),
            "otpauth://totp/My%20App:ann%40example.com?secret=ABC&issuer=My%20App&period=30&"
            "digits=6&algorithm=SHA1");
}

}  // namespace
}  // namespace basalt::auth
