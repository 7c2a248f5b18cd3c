// AccountFlows: the mail-driven account flows of an auth collection (docs/auth-flows.md),
// transport-agnostic like PasswordSignIn, so every transport runs the same checks:
//
//   request/confirm verification     POST .../request-verification, .../confirm-verification
//   request/confirm password reset   POST .../request-password-reset, .../confirm-password-reset
//   request/confirm email change     POST .../request-email-change, .../confirm-email-change
//   one-time passwords               POST .../request-otp, .../auth-with-otp
//
// Invariants:
//  1. Records are read and written only through the record service (a write is an update as
//     a superuser would make it: validation, a new tokenKey on a password or email change,
//     events, auth cache invalidation); OTPs live in `_otps`, written the same way.
//  2. Mails are handed to the outbox after the write they follow has committed, never sent on
//     the request's thread; the request's answer never depends on delivery.
//  3. Anti-enumeration: a request-* for an address nobody has answers exactly as one for a
//     known address (204, or a random otpId that later fails as a wrong one does) after the
//     same lookup; composing and sending happen on the outbox thread, so they add nothing to
//     the request's time. (request-otp for a known address also writes the OTP: that write is
//     the one visible difference, as in PocketBase.)
//  4. Resend throttle (PocketBase's): one verification mail per unverified record and one
//     password reset mail per record per 2 minutes; a request inside the window is answered
//     204 and sends nothing; confirming clears the mark.
//  5. OTP attempts: at most 5 auth-with-otp tries per record per 180 s (429 after, PocketBase's
//     rule), at most 10 OTPs created per record per otp.duration (further requests answer the
//     last otpId and send nothing); an OTP is deleted once used, refused once older than
//     otp.duration.
// Error statuses, messages and field codes are PocketBase's (each function's comment).
//
// Thread safety: immutable after construction apart from the internally locked throttles;
// every member may be called concurrently from any I/O thread. Borrowed members must outlive
// it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "basalt/accounts/resend_throttle.hpp"
#include "basalt/auth/memory_rate_limiter.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/mail/outbox.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/password_port.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::accounts {

inline constexpr std::chrono::seconds kResendWindow{120};
inline constexpr unsigned kOtpAttempts = 5;
inline constexpr std::chrono::seconds kOtpAttemptsWindow{180};
inline constexpr unsigned kOtpsPerRecord = 10;

struct AccountFlowsParts {
  db::Database& database;
  collections::CollectionService& collections;
  records::RecordService& records;
  query::PlanCache& plans;
  const settings::SettingsService& settings;
  // Hashing and checks on the blocking pool, bounded per client address (the HashingAdmission
  // behind the app's PooledPasswords): the same bound as every other password work.
  const records::PasswordPort& passwords;
  mail::Outbox& outbox;
  const core::Clock& clock;
  // Makes the per-record OTP limiters ("otp-attempts", "otp-creations"); empty: one process's
  // own (MemoryRateLimiter). Instances on one database pass limiters they share
  // (docs/scaling.md).
  std::function<std::unique_ptr<auth::RateLimiter>(const std::string& name,
                                                   auth::MemoryRateLimiterOptions options)>
      make_limiter = {};
};

// A completed sign-in by OTP: the record as stored afterwards.
struct OtpSignIn {
  std::shared_ptr<const collections::Catalog> catalog;
  const schema::Collection* collection = nullptr;  // lives in `catalog`
  boost::json::object record;
};

class AccountFlows {
 public:
  explicit AccountFlows(AccountFlowsParts parts);

  // 404 for a non-auth collection; 400 "All superusers are verified by default." for
  // _superusers; 400 email validation (required, 1-255, email format); else done (204).
  boost::asio::awaitable<void> request_verification(std::string collection, std::string email);
  // 400 as above; 400 with data.token: validation_required, validation_invalid_token_claims (no
  // email claim), validation_invalid_token, validation_token_collection_mismatch,
  // validation_token_email_mismatch. Marks the record verified (a random password too when
  // password auth is off, as PocketBase guards against pre-hijacking).
  boost::asio::awaitable<void> confirm_verification(std::string collection, std::string token,
                                                    std::string client);

  // 400 "The collection is not configured to allow password authentication." when it is off;
  // email validation; else done.
  boost::asio::awaitable<void> request_password_reset(std::string collection, std::string email);
  // 400 with field errors: token (required, invalid, collection mismatch), password (required,
  // length between the password field's min (or 1) and 255), passwordConfirm (required, values
  // mismatch); then the record service's own password checks. Sets the password (new tokenKey:
  // every session ends) and marks the record verified when the token's email is still its
  // email.
  boost::asio::awaitable<void> confirm_password_reset(std::string collection, std::string token,
                                                      std::string password,
                                                      std::string password_confirm,
                                                      std::string client);

  // For the signed-in `auth_record` of `collection`: 400 for _superusers ("All superusers can
  // change their emails directly."); newEmail required, 1-255, email format, not the current
  // one (validation_not_in_invalid), not another record's (validation_invalid_new_email).
  boost::asio::awaitable<void> request_email_change(std::string collection,
                                                    boost::json::object auth_record,
                                                    std::string new_email, std::string client);
  // 400 for _superusers; token: required, validation_invalid_token_payload (no newEmail),
  // validation_invalid_token, validation_token_collection_mismatch,
  // validation_invalid_token_email (the new email is taken now); password: required, 1-100,
  // validation_invalid_password unless it is the record's. Sets the email, verified.
  boost::asio::awaitable<void> confirm_email_change(std::string collection, std::string token,
                                                    std::string password, std::string client);

  // 403 "The collection is not configured to allow OTP authentication." when OTP is off; email
  // validation; the otpId (invariant 3 and 5).
  // `client` is the caller's address, the unit password work is bounded by.
  boost::asio::awaitable<std::string> request_otp(std::string collection, std::string email,
                                                  std::string client);
  // 403 as above; otpId required 1-255, password required 1-71; 400 "Invalid or expired OTP."
  // for an unknown, other collection's, expired or wrong one; 429 "Too many attempts, please
  // try again later with a new OTP." (invariant 5); 403 when the authRule refuses the record.
  // Marks the record verified when the OTP went to its current email; deletes the OTP.
  // `caller`: the request's own caller, the authRule's @request.auth (auth/auth_rule.hpp).
  boost::asio::awaitable<OtpSignIn> auth_with_otp(std::string collection, std::string otp_id,
                                                  std::string password, std::string client,
                                                  records::Caller caller);

  // Sign-in alerts (sign_in_alerts.hpp): records the device of a completed sign-in of `record`
  // (every field, as stored) in `_authOrigins` and queues the authAlert mail when the record
  // signed in before, never from this device, and has an email. Nothing when the collection's
  // authAlert is off. `ip` is the client address as the rate limits see it, `user_agent` the
  // request's User-Agent (any length). Throws what the write throws.
  boost::asio::awaitable<void> note_sign_in(std::shared_ptr<const collections::Catalog> catalog,
                                            const schema::Collection& collection,
                                            boost::json::object record, std::string ip,
                                            std::string user_agent);

  // Sends `template_name` (verification, password-reset, email-change, otp, login-alert) of
  // `collection` (default _superusers) to `email` now (a superuser's test of settings.smtp).
  // 400 with field errors for a bad email, template or collection.
  void queue_test_mail(std::string collection, std::string template_name, std::string email);

 private:
  boost::asio::awaitable<std::optional<boost::json::object>> find_by_email(
      const schema::Collection& collection, const std::string& email);
  boost::asio::awaitable<void> update_as_system(const schema::Collection& collection,
                                                const std::string& id, boost::json::object body,
                                                std::string failure_message,
                                                const std::string& client);
  boost::asio::awaitable<bool> password_matches(std::string plain, std::string stored,
                                                const std::string& client);

  AccountFlowsParts parts_;
  ResendThrottle resends_;
  std::unique_ptr<auth::RateLimiter> otp_attempts_;   // per record (invariant 5)
  std::unique_ptr<auth::RateLimiter> otp_creations_;  // per record (invariant 5)
  mutable std::mutex last_otp_mutex_;
  std::unordered_map<std::string, std::string> last_otp_;  // record key -> last otpId issued
};

}  // namespace basalt::accounts
