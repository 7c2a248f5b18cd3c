// TotpService: authenticator-app codes as a second sign-in method, a Basalt extension beyond
// PocketBase (docs/auth-flows.md, "TOTP"). One `_totp` row per enrolled auth record (a table,
// not a collection: the records API never reaches it; removed with its record).
//
//   enroll   -> a new secret (20 random bytes) and its otpauth:// URI; pending until confirmed
//               (enrolling again replaces a pending secret; a confirmed one must be disabled
//               first: 400).
//   confirm  -> the first valid code activates it and returns kRecoveryCodes recovery codes,
//               shown once; only their digests are stored.
//   verify   -> a sign-in's code: a 6-digit TOTP code (RFC 6238, +-1 step) newer than the last
//               accepted step, or an unused recovery code; either is consumed (a replayed code
//               is refused).
//   disable  -> with the record's password: the row is removed.
//
// Invariants:
//  1. Secrets are stored only sealed with the ServerKey, bound to the row id; they leave the
//     service once, in enroll()'s answer.
//  2. A code is accepted at most once: lastStep moves forward with a conditional UPDATE (two
//     concurrent uses of one code: one wins, the other is refused), a recovery code's digest is
//     removed the same way.
//  3. Wrong codes and passwords count against the record in `attempts` (every attempt is
//     charged first and refunded on success); past the limit: 429 with Retry-After.
//
// Thread safety: immutable after construction; all members may run concurrently on any I/O
// thread. The borrowed members must outlive the service.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/auth/rate_limiter.hpp"
#include "basalt/auth/server_key.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/records/password_port.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::auth {

inline constexpr std::size_t kRecoveryCodes = 10;
// A submitted code or recovery code longer than this is refused unread.
inline constexpr std::size_t kMaxTotpCodeLength = 64;

struct TotpEnrollment {
  std::string secret;  // base32
  std::string uri;     // otpauth://totp/...
};

struct TotpStatus {
  bool enabled = false;  // confirmed
  bool pending = false;  // enrolled, not confirmed yet
  std::size_t recovery_codes_left = 0;
};

class TotpService {
 public:
  TotpService(db::Database& database, const ServerKey& key, RateLimiter& attempts,
              const records::PasswordPort& passwords, const core::Clock& clock);

  boost::asio::awaitable<TotpStatus> status(const schema::Collection& collection,
                                            std::string_view record_id) const;
  // `issuer`: the app name shown by the authenticator app; the account is the record's email
  // (its username, or its id, when it has none).
  boost::asio::awaitable<TotpEnrollment> enroll(const schema::Collection& collection,
                                                const boost::json::object& record,
                                                std::string issuer) const;
  boost::asio::awaitable<std::vector<std::string>> confirm(const schema::Collection& collection,
                                                           std::string_view record_id,
                                                           std::string code) const;
  // 400 "Invalid TOTP code." for a wrong, replayed or malformed code, or a record without
  // confirmed TOTP; 429 past the attempts limit.
  boost::asio::awaitable<void> verify(const schema::Collection& collection,
                                      std::string_view record_id, std::string code) const;
  // 400 with data.password validation_invalid_password for a wrong password. `client` bounds
  // the password work (PasswordPort).
  boost::asio::awaitable<void> disable(const schema::Collection& collection,
                                       const boost::json::object& record, std::string password,
                                       std::string_view client) const;

 private:
  struct Row;
  boost::asio::awaitable<std::optional<Row>> load(const std::string& row_id) const;
  boost::asio::awaitable<std::string> charge(const std::string& row_id) const;
  std::vector<unsigned char> open_secret(const Row& row) const;

  db::Database& database_;
  const ServerKey& key_;
  RateLimiter& attempts_;
  const records::PasswordPort& passwords_;
  const core::Clock& clock_;
};

}  // namespace basalt::auth
