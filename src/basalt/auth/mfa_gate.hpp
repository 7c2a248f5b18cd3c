// MfaGate: multi-factor authentication (docs/auth-flows.md, "MFA"), the check every successful
// sign-in method goes through before a token is issued - password today; OTP, OAuth2 and TOTP
// call it the same way (api/sign_in_response.hpp does it for every REST method).
//
// When the collection's mfa.enabled is on and its mfa.rule matches the record ("" = every
// record; otherwise one point read where the signing-in record is the row and `@request.auth`
// is the request's own caller - a guest unless it sent a token - as PocketBase's wantsMFA
// evaluates it; no superuser bypass), a sign-in needs two DIFFERENT methods:
//   - without an mfaId, the method passed is stored as an `_mfas` row (collectionRef, recordRef,
//     method, created) and its id is returned: the caller answers 401 {"mfaId": id};
//   - with an mfaId, the row must exist, be younger than mfa.duration (else 400 "Invalid or
//     expired MFA session.", and an expired row is deleted), belong to this record (else 400
//     "Invalid MFA session.") and name another method (else 400 "A different authentication
//     method is required."); the row is then deleted and the sign-in completes.
// A sign-in MFA does not apply to ignores any mfaId (as PocketBase). Superusers follow the
// same rules as every auth collection.
//
// Thread safety: immutable after construction; check() may run concurrently anywhere. Rows are
// written only through the record service. Members are borrowed and must outlive the gate.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "basalt/collections/catalog.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::auth {

// PocketBase's method names (core/mfa_model.go), plus Basalt's "totp".
inline constexpr std::string_view kMfaMethodPassword = "password";
inline constexpr std::string_view kMfaMethodOtp = "otp";
inline constexpr std::string_view kMfaMethodOAuth2 = "oauth2";
inline constexpr std::string_view kMfaMethodTotp = "totp";

// An mfaId longer than this names no session (refused without a lookup).
inline constexpr std::size_t kMaxMfaIdLength = 255;

// A sign-in that has passed one method: who signed in, how, and the request's mfaId.
struct MfaAttempt {
  const collections::Catalog* catalog = nullptr;
  const schema::Collection* collection = nullptr;  // an auth collection in `catalog`
  const boost::json::object* record = nullptr;     // every field, as stored
  std::string_view method;                         // kMfaMethod*
  std::string_view mfa_id;                         // "" when the request carries none
  // The request's own caller: `@request.auth` of mfa.rule (a guest unless the request sent a
  // token), as PocketBase's wantsMFA resolves it; `record` is the row the rule is checked on.
  const records::Caller* caller = nullptr;
  const query::RequestInfo* request = nullptr;  // the rest of `@request` for mfa.rule
  // A method that may only complete an MFA session (TOTP): where MFA does not apply, or
  // without an mfaId, check() refuses with 400 "Invalid or expired MFA session." instead of
  // letting it sign in alone.
  bool second_factor_only = false;
};

class MfaGate {
 public:
  MfaGate(db::Database& database, records::RecordService& records, query::PlanCache& plans,
          const core::Clock& clock);

  // nullopt: the sign-in may complete (MFA does not apply, or this was the second method).
  // A string: the first method passed; answer 401 {"mfaId": it}. Throws core::ApiError 400 as
  // described above.
  boost::asio::awaitable<std::optional<std::string>> check(MfaAttempt attempt) const;

  // The live session `mfa_id` names for a record of `collection` (a method that identifies the
  // user only through it, such as TOTP). 400 "Invalid or expired MFA session." otherwise.
  boost::asio::awaitable<records::MfaRow> session(const schema::Collection& collection,
                                                  std::string_view mfa_id) const;

 private:
  boost::asio::awaitable<bool> wants_mfa(const MfaAttempt& attempt) const;
  boost::asio::awaitable<records::MfaRow> live_session(const schema::Collection& collection,
                                                       std::string_view mfa_id) const;

  db::Database& database_;
  records::RecordService& records_;
  query::PlanCache& plans_;
  const core::Clock& clock_;
};

}  // namespace basalt::auth
