// PasswordHasher: hashes new passwords with argon2id and verifies argon2id and bcrypt hashes.
//
// Every new hash is argon2id (libsodium crypto_pwhash, PHC string "$argon2id$v=19$m=..,t=..,p=1$
// salt$hash"). bcrypt hashes ("$2a$", "$2b$", "$2y$", as PocketBase stores them) are verified
// through libcrypt so imported data keeps working; needs_rehash() is true for them, so the login
// flow replaces them with argon2id after the next successful login.
//
// Parameters (kDefaultArgon2Params): 3 passes over 32 MiB, one lane. Measured on the 2-core
// development machine: ~33 ms per hash and per verification, against ~45 ms for a bcrypt cost-10
// verification (PocketBase's default), so a login costs what it costs on PocketBase and an
// argon2id check looks like a bcrypt one from outside. Memory: 32 MiB per hash in flight, so
// peak memory is 32 MiB x the blocking pool's threads. Stronger than OWASP's argon2id floor
// (19 MiB, 2 passes).
//
// Contract:
//  1. Every method is CPU-heavy and blocking (tens of ms): call it on core::BlockingPool, never on
//     an I/O thread (docs/architecture.md).
//  2. Timing: verify() against a stored value that is not a usable hash (empty, garbage, beyond
//     the cost caps) and verify_dummy() each spend one argon2id verification at this hasher's
//     parameters, like a real verify. Callers run verify_dummy() for an unknown identity so the
//     response time does not say which identities exist.
//  3. Plaintext longer than kMaxPasswordBytes is never hashed or verified (cost bound): hash()
//     throws, verify() and verify_dummy() return at once — whatever the identity, so this says
//     nothing about it. Callers validate lengths first (PocketBase: 1-255 characters on login).
//  4. bcrypt reads at most 72 bytes and stops at a NUL: verify() against a bcrypt hash rejects a
//     plaintext longer than 72 bytes or holding a NUL (after spending a dummy verification) rather
//     than matching a prefix, as Go's bcrypt does.
//  5. Stored hashes are only verified within cost caps (argon2id: kMaxArgon2Memory,
//     kMaxArgon2Iterations, one lane, v=19; bcrypt: cost <= kMaxBcryptCost), so a hostile or
//     mistaken stored value cannot stall a pool thread or exhaust memory. Beyond them, verify()
//     is false.
//  6. Immutable after construction; every method is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace basalt::auth {

struct Argon2Params {
  std::uint64_t iterations = 0;  // libsodium "opslimit": passes over memory
  std::size_t memory_bytes = 0;  // libsodium "memlimit"; stored in the hash as m=<KiB>
};

inline constexpr Argon2Params kDefaultArgon2Params{3, std::size_t{32} << 20};
inline constexpr std::size_t kMaxPasswordBytes = 4096;
inline constexpr std::size_t kMaxBcryptPasswordBytes = 72;
inline constexpr std::size_t kMaxArgon2Memory = std::size_t{256} << 20;
inline constexpr std::uint64_t kMaxArgon2Iterations = 16;
inline constexpr int kMaxBcryptCost = 15;  // ~1.5 s here; PocketBase's default is 10

// Whether `params` reach one of OWASP's argon2id minimum configurations (one lane): 46 MiB x 1
// pass, 19 MiB x 2, 12 MiB x 3, 9 MiB x 4 or 7 MiB x 5. The server warns at startup when they do
// not (only tests should configure less: docs/security.md, "Passwords").
bool meets_owasp_floor(const Argon2Params& params) noexcept;

// The result of checking a password against a stored hash.
struct PasswordCheck {
  bool matches = false;
  bool needs_rehash = false;  // meaningful only when it matches: store hash(plain) in its place
};

class PasswordHasher {
 public:
  // Throws std::invalid_argument when `params` are below libsodium's minimum or above the
  // verification caps (a hash this hasher could not verify). Spends one hash building the dummy.
  explicit PasswordHasher(Argon2Params params = kDefaultArgon2Params);

  const Argon2Params& params() const noexcept { return params_; }

  // A new argon2id PHC string with a random salt. Throws std::invalid_argument when `plain` is
  // longer than kMaxPasswordBytes, std::runtime_error when libsodium fails (out of memory).
  std::string hash(std::string_view plain) const;

  // Whether `plain` matches `stored` (argon2id or bcrypt); false for anything else.
  bool verify(std::string_view plain, std::string_view stored) const;

  // True when `stored` should be replaced by a fresh hash: bcrypt, or argon2id with parameters
  // other than this hasher's (a changed configuration applies on each user's next login), or
  // anything unrecognised.
  bool needs_rehash(std::string_view stored) const;

  // verify() and needs_rehash() in one call, for the login flow.
  PasswordCheck check(std::string_view plain, std::string_view stored) const;

  // Spends one verification against a fixed hash made at construction with this hasher's
  // parameters; the outcome is discarded. For unknown identities (contract 2).
  void verify_dummy(std::string_view plain) const;

 private:
  bool verify_argon2id(std::string_view plain, std::string_view stored) const;
  bool verify_bcrypt(std::string_view plain, std::string_view stored) const;

  Argon2Params params_;
  std::string dummy_hash_;
};

}  // namespace basalt::auth
