// libFuzzer target for the JWT reader (auth/jwt.hpp): every request's Authorization header
// reaches UnverifiedJwt::parse before anything is trusted, so it must take any bytes without
// crashing, hanging, leaking or tripping a sanitizer, and hold the invariants jwt.hpp promises:
//
//  - over kMaxJwtBytes is kTooLarge; a refused token has no claims and verify() repeats why;
//  - a token that parses, re-signed with a key, parses to the same claims and verifies with
//    that key (up to its exp/nbf window) and with no other key;
//  - the input read as a claims object, signed and verified, gives the status a small model of
//    the exp/nbf rules expects (so odd numbers in exp/nbf are exercised without a valid MAC).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "basalt/auth/jwt.hpp"

namespace {

using basalt::auth::JwtClock;
using basalt::auth::JwtStatus;
using basalt::auth::UnverifiedJwt;

constexpr std::string_view kKey = "fuzz-signing-key";
constexpr std::string_view kOtherKey = "another-signing-key";
constexpr std::int64_t kNowSeconds = 1715941230;
const JwtClock::time_point kNow{std::chrono::seconds(kNowSeconds)};

void require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "invariant violated: %s\n", what);
    std::abort();
  }
}

bool window_status(JwtStatus status) {
  return status == JwtStatus::kOk || status == JwtStatus::kMissingExpiry ||
         status == JwtStatus::kExpired || status == JwtStatus::kNotYetValid ||
         status == JwtStatus::kMalformed;  // kMalformed: a non-numeric nbf
}

// The status for claims signed with kKey, from the rules in jwt.hpp (invariant 5), for claims
// whose exp and nbf are absent or integers; nullopt-like kTooLarge for anything else.
JwtStatus model_status(const boost::json::object& claims) {
  const auto* exp = claims.if_contains("exp");
  const auto* nbf = claims.if_contains("nbf");
  if (exp == nullptr) return JwtStatus::kMissingExpiry;
  if (!exp->is_int64() || (nbf != nullptr && !nbf->is_int64())) return JwtStatus::kTooLarge;
  if (kNowSeconds >= exp->get_int64()) return JwtStatus::kExpired;
  if (nbf != nullptr && kNowSeconds < nbf->get_int64()) return JwtStatus::kNotYetValid;
  return JwtStatus::kOk;
}

// Signs `claims`, reads the token back and checks it against `claims`. Claims Basalt issues are
// plain JSON; numbers that overflowed to infinity do not survive serialization, so only claims
// that read back as themselves are signed.
void check_signed(const boost::json::object& claims) {
  boost::system::error_code error;
  boost::json::value reread = boost::json::parse(boost::json::serialize(claims), error);
  if (error || reread != boost::json::value(claims)) return;
  std::string token = basalt::auth::encode_jwt(claims, kKey);
  UnverifiedJwt again = UnverifiedJwt::parse(token);
  if (token.size() > basalt::auth::kMaxJwtBytes) {
    require(again.status() == JwtStatus::kTooLarge, "a long signed token is kTooLarge");
    return;
  }
  require(again.status() == JwtStatus::kOk, "a signed token parses");
  require(again.unverified_claims() == claims, "claims survive signing");
  JwtStatus status = again.verify(kKey, kNow);
  require(window_status(status), "the signing key verifies up to the validity window");
  require(again.verify(kOtherKey, kNow) == JwtStatus::kSignature, "another key never verifies");
  require(again.verify("", kNow) == JwtStatus::kSignature, "an empty key never verifies");
  JwtStatus expected = model_status(claims);
  if (expected != JwtStatus::kTooLarge) require(status == expected, "exp/nbf rules");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  UnverifiedJwt jwt = UnverifiedJwt::parse(text);
  require((jwt.status() == JwtStatus::kTooLarge) == (size > basalt::auth::kMaxJwtBytes),
          "kTooLarge exactly past the limit");
  if (jwt.status() != JwtStatus::kOk) {
    require(jwt.unverified_claims().empty(), "a refused token has no claims");
    require(jwt.verify(kKey, kNow) == jwt.status(), "verify repeats the parse status");
  } else {
    require(jwt.verify(kOtherKey, kNow) != JwtStatus::kOk, "no forged token verifies");
    check_signed(jwt.unverified_claims());
  }

  boost::system::error_code error;
  boost::json::value claims = boost::json::parse(text, error);
  if (!error && claims.is_object()) check_signed(claims.as_object());
  return 0;
}
