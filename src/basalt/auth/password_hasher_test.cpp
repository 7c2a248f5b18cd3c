// PasswordHasher: argon2id round trips, hashes made by other implementations (node-argon2,
// OpenBSD-style bcrypt test vectors, a PocketBase/Go bcrypt hash), bcrypt's 72-byte and NUL
// pitfalls, cost caps and when a stored hash should be replaced.
//
// Most tests use the cheapest argon2id parameters libsodium allows, to stay fast; the
// parameters are data in the hash, so the code paths are the same.
#include "basalt/auth/password_hasher.hpp"

#include <crypt.h>
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace basalt::auth {
namespace {

constexpr Argon2Params kCheap{1, 8 * 1024};

// Made by node-argon2 (the reference C implementation) for the password "secret".
constexpr std::string_view kReferenceArgon2id =
    "$argon2id$v=19$m=4096,t=3,p=1$RrtzvESo4bkSXrWxbc530g$"
    "Lyyvcbaa3UNVymz+LMbLjN2hClM6NSRQiMJqGg4vtNY";
// crypt_blowfish / OpenBSD test vector: "U*U" at cost 5.
constexpr std::string_view kBcryptVector =
    "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
// The example hash of "123456" in PocketBase's core/field_password.go (Go's x/crypto/bcrypt).
constexpr std::string_view kPocketBaseBcrypt =
    "$2a$10$.5Elh8fgxypNUWhpUUr/xOa2sZm0VIaE0qWuGGl9otUfobb46T1Pq";

const PasswordHasher& cheap() {
  static const PasswordHasher hasher(kCheap);
  return hasher;
}

// A bcrypt hash of `plain` made by libcrypt, the way PocketBase data carries them.
std::string bcrypt_hash(const std::string& plain, int cost) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (!crypt_gensalt_rn("$2b$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                        sizeof setting)) {
    throw std::runtime_error("crypt_gensalt_rn failed");
  }
  auto data = std::make_unique<crypt_data>();
  const char* hash = crypt_r(plain.c_str(), setting, data.get());
  if (!hash || hash[0] == '*') throw std::runtime_error("crypt_r failed");
  return hash;
}

std::string with_prefix(std::string_view hash, std::string_view prefix) {
  return std::string(prefix) + std::string(hash.substr(prefix.size()));
}

TEST(PasswordHasherTest, HashesWithArgon2idAndTheConfiguredParameters) {
  std::string hash = cheap().hash("correct horse");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << hash;
  EXPECT_TRUE(cheap().verify("correct horse", hash));
  EXPECT_FALSE(cheap().verify("correct horsE", hash));
  EXPECT_FALSE(cheap().verify("", hash));
  EXPECT_NE(cheap().hash("correct horse"), hash);  // a fresh salt each time
}

TEST(PasswordHasherTest, DefaultParametersAreThreePassesOver32MiB) {
  PasswordHasher hasher;
  std::string hash = hasher.hash("pw");
  EXPECT_TRUE(hash.starts_with("$argon2id$v=19$m=32768,t=3,p=1$")) << hash;
  EXPECT_TRUE(hasher.verify("pw", hash));
  EXPECT_FALSE(hasher.needs_rehash(hash));
}

TEST(PasswordHasherTest, VerifiesArgon2idHashesFromTheReferenceImplementation) {
  EXPECT_TRUE(cheap().verify("secret", kReferenceArgon2id));
  EXPECT_FALSE(cheap().verify("Secret", kReferenceArgon2id));
}

TEST(PasswordHasherTest, VerifiesPublishedBcryptVectorsInEveryAcceptedVariant) {
  EXPECT_TRUE(cheap().verify("U*U", kBcryptVector));
  EXPECT_TRUE(cheap().verify("U*U", with_prefix(kBcryptVector, "$2b$")));
  EXPECT_TRUE(cheap().verify("U*U", with_prefix(kBcryptVector, "$2y$")));
  EXPECT_FALSE(cheap().verify("U*U*", kBcryptVector));
  EXPECT_FALSE(cheap().verify("U*U", with_prefix(kBcryptVector, "$2x$")));  // the buggy variant
}

TEST(PasswordHasherTest, VerifiesAPocketBaseBcryptHash) {
  EXPECT_TRUE(cheap().verify("123456", kPocketBaseBcrypt));
  EXPECT_FALSE(cheap().verify("1234567", kPocketBaseBcrypt));
}

TEST(PasswordHasherTest, VerifiesBcryptCost10HashesMadeByLibcrypt) {
  std::string hash = bcrypt_hash("hunter22", 10);
  EXPECT_TRUE(hash.starts_with("$2b$10$")) << hash;
  EXPECT_TRUE(cheap().verify("hunter22", hash));
  EXPECT_FALSE(cheap().verify("hunter2", hash));
}

TEST(PasswordHasherTest, BcryptNeverMatchesOnATruncatedPlaintext) {
  // bcrypt itself reads 72 bytes and stops at a NUL; neither may let a different password in.
  const std::string seventy_two(kMaxBcryptPasswordBytes, 'p');
  std::string hash = bcrypt_hash(seventy_two, 4);
  EXPECT_TRUE(cheap().verify(seventy_two, hash));
  EXPECT_FALSE(cheap().verify(seventy_two + "extra", hash));

  std::string short_hash = bcrypt_hash("abc", 4);
  EXPECT_FALSE(cheap().verify(std::string("abc\0def", 7), short_hash));
}

TEST(PasswordHasherTest, ArgonHashesTheWholePlaintextIncludingNulAndPast72Bytes) {
  const std::string long_password(1000, 'p');
  std::string hash = cheap().hash(long_password);
  EXPECT_TRUE(cheap().verify(long_password, hash));
  EXPECT_FALSE(cheap().verify(long_password.substr(0, 72), hash));

  const std::string with_nul("abc\0def", 7);
  std::string nul_hash = cheap().hash(with_nul);
  EXPECT_TRUE(cheap().verify(with_nul, nul_hash));
  EXPECT_FALSE(cheap().verify("abc", nul_hash));
}

TEST(PasswordHasherTest, OverlongPlaintextIsNeverHashedOrAccepted) {
  const std::string too_long(kMaxPasswordBytes + 1, 'x');
  EXPECT_THROW(cheap().hash(too_long), std::invalid_argument);
  EXPECT_NO_THROW(cheap().hash(too_long.substr(1)));
  EXPECT_FALSE(cheap().verify(too_long, cheap().hash("x")));
}

TEST(PasswordHasherTest, AnythingButASupportedHashNeverMatches) {
  for (std::string_view stored :
       {std::string_view(""), std::string_view("123456"), std::string_view("$2a$10$short"),
        std::string_view("$argon2id$"), std::string_view("$argon2id$v=19$m=8,t=1,p=1$c2FsdA$"),
        std::string_view("$1$salt$hash")}) {
    EXPECT_FALSE(cheap().verify("123456", stored)) << stored;
  }
}

TEST(PasswordHasherTest, StoredHashesBeyondTheCostCapsAreRefused) {
  // Correct hashes of "pw" whose parameters are then raised past the caps: refused without
  // running (the raised parameters would not reproduce the hash anyway, but a cap-less verifier
  // would first spend a GiB of memory or a bcrypt cost of 2^31 finding that out).
  std::string argon = cheap().hash("pw");
  std::string huge_memory = argon;
  huge_memory.replace(huge_memory.find("m=8,"), 4, "m=1048576,");
  EXPECT_FALSE(cheap().verify("pw", huge_memory));
  std::string many_passes = argon;
  many_passes.replace(many_passes.find(",t=1,"), 5, ",t=1000000,");
  EXPECT_FALSE(cheap().verify("pw", many_passes));
  std::string lanes = argon;
  lanes.replace(lanes.find(",p=1$"), 5, ",p=4$");
  EXPECT_FALSE(cheap().verify("pw", lanes));

  std::string bcrypt = bcrypt_hash("pw", 4);
  EXPECT_FALSE(cheap().verify("pw", with_prefix(bcrypt, "$2b$31$")));
}

TEST(PasswordHasherTest, NeedsRehashForBcryptOtherParametersAndJunk) {
  EXPECT_TRUE(cheap().needs_rehash(kBcryptVector));
  EXPECT_TRUE(cheap().needs_rehash(kPocketBaseBcrypt));
  EXPECT_TRUE(cheap().needs_rehash(kReferenceArgon2id));  // m=4096,t=3: not ours
  EXPECT_FALSE(cheap().needs_rehash(cheap().hash("pw")));

  PasswordHasher stronger({2, 16 * 1024});
  EXPECT_TRUE(stronger.needs_rehash(cheap().hash("pw")));
  EXPECT_TRUE(cheap().needs_rehash(stronger.hash("pw")));

  EXPECT_TRUE(cheap().needs_rehash(""));
  EXPECT_TRUE(cheap().needs_rehash("$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"));
}

TEST(PasswordHasherTest, CheckCombinesVerifyAndNeedsRehash) {
  PasswordCheck bcrypt = cheap().check("123456", kPocketBaseBcrypt);
  EXPECT_TRUE(bcrypt.matches);
  EXPECT_TRUE(bcrypt.needs_rehash);

  PasswordCheck current = cheap().check("pw", cheap().hash("pw"));
  EXPECT_TRUE(current.matches);
  EXPECT_FALSE(current.needs_rehash);

  PasswordCheck wrong = cheap().check("nope", kPocketBaseBcrypt);
  EXPECT_FALSE(wrong.matches);
  EXPECT_FALSE(wrong.needs_rehash);
}

TEST(PasswordHasherTest, TheDummyVerificationAcceptsAnyInput) {
  cheap().verify_dummy("");
  cheap().verify_dummy("basalt: no such identity");
  cheap().verify_dummy(std::string(kMaxPasswordBytes + 1, 'x'));
}

TEST(PasswordHasherTest, ParametersOutsideTheVerifiableRangeAreRejected) {
  EXPECT_THROW(PasswordHasher({0, 8 * 1024}), std::invalid_argument);
  EXPECT_THROW(PasswordHasher({1, 1024}), std::invalid_argument);
  EXPECT_THROW(PasswordHasher({kMaxArgon2Iterations + 1, 8 * 1024}), std::invalid_argument);
  EXPECT_THROW(PasswordHasher({1, kMaxArgon2Memory + 1024}), std::invalid_argument);
}

TEST(PasswordHasherTest, TheOwaspFloorIsAnyOfItsFiveConfigurations) {
  constexpr std::size_t kMiB = std::size_t{1} << 20;
  EXPECT_TRUE(meets_owasp_floor(kDefaultArgon2Params));
  EXPECT_TRUE(meets_owasp_floor({1, 46 * kMiB}));
  EXPECT_TRUE(meets_owasp_floor({2, 19 * kMiB}));
  EXPECT_TRUE(meets_owasp_floor({3, 12 * kMiB}));
  EXPECT_TRUE(meets_owasp_floor({4, 9 * kMiB}));
  EXPECT_TRUE(meets_owasp_floor({5, 7 * kMiB}));
  EXPECT_FALSE(meets_owasp_floor({1, 46 * kMiB - 1024}));
  EXPECT_FALSE(meets_owasp_floor({2, 19 * kMiB - 1024}));
  EXPECT_FALSE(meets_owasp_floor({16, 7 * kMiB - 1024}));
  EXPECT_FALSE(meets_owasp_floor({1, 64 * 1024}));
}

}  // namespace
}  // namespace basalt::auth
