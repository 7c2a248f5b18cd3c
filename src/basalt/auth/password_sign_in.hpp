// PasswordSignIn: the auth-with-password flow (docs/security.md, "Authentication"),
// transport-agnostic, so REST today and GraphQL later run the same checks in the same order:
//
//   1. 400 for a blank or over-long identity/password, or an identityField that is not one of
//      the collection's identity fields;
//   2. 403 when the collection has password auth disabled;
//   3. 429 "Too Many Requests." (TooManyAttempts, with a Retry-After) past the failure limits
//      of SignInThrottle: per client address and per (address, collection, identity) - every
//      attempt counts up front and a success is refunded;
//   4. 400 "Failed to authenticate." for an unknown identity, a wrong password, or an identity
//      that matches several records differing only in letter case without matching one of
//      them exactly (logged as a warning; never a silent pick) - each spends one password
//      verification on the blocking pool, so timing does not tell them apart;
//   5. 403 when the collection's authRule refuses the record (it is both the row and
//      @request.auth, as PocketBase evaluates it);
//   6. a bcrypt or outdated argon2id hash is replaced by a fresh argon2id one, through the
//      record service (RecordService::replace_password_hash: a write job and a RecordUpdated
//      event like any other write of a record).
// Records are read and written only through the record service; the database is used
// directly only for the authRule check.
// The result carries a new auth token for the record.
//
// Thread safety: immutable after construction; sign_in() may run concurrently anywhere. All
// members are borrowed from the composition root and must outlive it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "basalt/auth/password_hasher.hpp"
#include "basalt/auth/sign_in_throttle.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::auth {

inline constexpr std::size_t kMaxIdentityLength = 255;
// PocketBase's bound on sign-in input; a longer password is refused before any hashing.
inline constexpr std::size_t kMaxSignInPasswordLength = 255;

struct SignInRequest {
  std::string collection;  // id or name
  std::string identity;
  std::string password;
  std::string identity_field;  // "" = try every configured identity field
  boost::json::object body;    // the whole submitted body: what the authRule's @request.body sees
  std::string client_ip;       // the caller's address (SignInThrottle's key)
  // The request's own caller (a guest unless it sent a token): the authRule's @request.auth
  // (auth_rule.hpp). Borrowed for the call.
  records::Caller caller;
};

struct SignInResult {
  std::shared_ptr<const collections::Catalog> catalog;
  const schema::Collection* collection = nullptr;  // lives in `catalog`
  boost::json::object record;                      // every field, as stored after sign-in
};  // the token is issued by api::finish_sign_in, after the MFA gate

class PasswordSignIn {
 public:
  PasswordSignIn(db::Database& database, collections::CollectionService& collections,
                 records::RecordService& records, query::PlanCache& plans,
                 core::BlockingPool& blocking, const PasswordHasher& hasher,
                 const SignInThrottle& throttle, const core::Clock& clock);

  // 404 "Missing or invalid auth collection context." for an unknown or non-auth collection;
  // the errors listed above otherwise.
  boost::asio::awaitable<SignInResult> sign_in(SignInRequest request) const;

 private:
  boost::asio::awaitable<void> upgrade_hash(const schema::Collection& collection,
                                            const std::string& id, const std::string& password,
                                            const std::string& checked_hash) const;

  db::Database& database_;
  collections::CollectionService& collections_;
  records::RecordService& records_;
  query::PlanCache& plans_;
  core::BlockingPool& blocking_;
  const PasswordHasher& hasher_;
  const SignInThrottle& throttle_;
  const core::Clock& clock_;
};

// The auth collection `id_or_name` in `catalog`; 404 "Missing or invalid auth collection
// context." when it is unknown or not an auth collection.
const schema::Collection& find_auth_collection(const collections::Catalog& catalog,
                                               std::string_view id_or_name);

}  // namespace basalt::auth
