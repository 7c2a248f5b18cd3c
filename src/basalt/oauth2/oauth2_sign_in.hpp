// OAuth2SignIn: POST /api/collections/{c}/auth-with-oauth2 as a transport-agnostic service
// (docs/oauth2.md, "The flow"), in PocketBase's order:
//
//   1. 404 for an unknown or non-auth collection; 403 when the collection has OAuth2 disabled;
//   2. 400 "An error occurred while loading the submitted data." for a missing or over-long
//      provider, code or redirectURL, a provider the collection does not configure
//      (validation_invalid_provider), an over-long codeVerifier;
//   3. the code exchange and the provider's user on the OAuth2 pool (provider_client.hpp):
//      400 "Failed to fetch OAuth2 token." / "Failed to fetch OAuth2 user.";
//   4. the record: the one linked to (provider, user id) in _externalAuths; else the caller's
//      own record when signed in to this collection; else the record with the provider's
//      (verified) email; else a new one created through the record service with createData, the
//      email, a random password and the mapped fields (name, username, id, avatar - downloaded
//      into a file field, bounded by the field's maxSize), under the collection's createRule
//      with @request.context "oauth2" (its errors answered as a create answers them);
//   5. an existing record not yet verified gets a random password (someone may have registered
//      the address before its owner) unless it is the caller's; its empty email is filled in;
//      it is marked verified when its email is the provider's; a new record whose email is
//      the provider's is marked verified;
//   6. the link in _externalAuths when it was missing;
//   7. check_auth_rule(): the authRule (403). The caller (api/oauth2_handlers.cpp) then ends
//      the sign-in in api::finish_sign_in (method "oauth2"), where the MFA gate and the auth
//      token are, as for every other sign-in method.
//
// Atomic: steps 4-6 are ONE batch of the record service (one transaction, as PocketBase's
// oauth2Submit): the client's create runs under its caller and the createRule, the flow's own
// writes (verified, the link) as a superuser beside it (BatchOperation::caller). A failure of
// any of them leaves nothing - no user without its link.
//
// Thread safety: immutable after construction; sign_in() may run concurrently on any worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/oauth2/apple_names.hpp"
#include "basalt/oauth2/provider_client.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::oauth2 {

inline constexpr std::size_t kMaxCodeLength = 4096;
inline constexpr std::size_t kMaxRedirectUrlLength = 2048;
inline constexpr std::size_t kMaxCodeVerifierLength = 256;
inline constexpr std::size_t kMaxProviderNameLength = 100;
// An avatar into a file field without maxSize (PocketBase's default is 5 MiB).
inline constexpr std::size_t kDefaultAvatarBytes = 5 << 20;

struct OAuth2SignInRequest {
  std::string collection;  // id or name
  std::string provider;
  std::string code;
  std::string code_verifier;
  std::string redirect_url;
  boost::json::object create_data;
  records::Caller caller;  // the request's caller (borrowed for the call)
};

struct OAuth2SignInResult {
  std::shared_ptr<const collections::Catalog> catalog;
  const schema::Collection* collection = nullptr;  // lives in `catalog`
  boost::json::object record;                      // every field, as stored
  boost::json::object meta;  // PocketBase's OAuth2 meta (providers.hpp auth_user_meta)
};

class OAuth2SignIn {
 public:
  // `pool`: the OAuth2 pool every outbound call runs on. `spool_dir`: where a downloaded avatar
  // waits as an upload (the upload spool: same file system as local storage).
  OAuth2SignIn(db::Database& database, collections::CollectionService& collections,
               records::RecordService& records, query::PlanCache& plans, core::BlockingPool& pool,
               const ProviderClient& client, AppleNames& apple_names, const core::Clock& clock,
               std::filesystem::path spool_dir);

  boost::asio::awaitable<OAuth2SignInResult> sign_in(OAuth2SignInRequest request) const;

  // The name Apple's form_post redirect carried for `code` (apple_names.hpp), for the sign-in
  // that follows with that code.
  void remember_apple_name(std::string_view code, std::string_view user_json) const {
    apple_names_.remember(code, user_json);
  }

 private:
  // Steps 4-6 for a new record: the create (the request's caller, the createRule), its
  // `verified` and, unless `link_provider` is empty, the _externalAuths link, in ONE batch.
  boost::asio::awaitable<boost::json::object> create_record(const schema::Collection& collection,
                                                            const OAuth2SignInRequest& request,
                                                            const AuthUser& user,
                                                            const std::string& link_provider) const;
  // Steps 5-6 for an existing record: its update and the link (when `link_provider` is not
  // empty), in ONE batch as the flow's superuser.
  boost::asio::awaitable<boost::json::object> update_linked_record(
      const schema::Collection& collection, const OAuth2SignInRequest& request,
      const AuthUser& user, boost::json::object record, const std::string& link_provider) const;
  // The authRule check every successful OAuth2 sign-in passes before api::finish_sign_in;
  // `caller` is the request's (the rule's @request.auth).
  boost::asio::awaitable<void> check_auth_rule(const OAuth2SignInResult& result,
                                               const records::Caller& caller) const;

  db::Database& database_;
  collections::CollectionService& collections_;
  records::RecordService& records_;
  query::PlanCache& plans_;
  core::BlockingPool& pool_;
  const ProviderClient& client_;
  AppleNames& apple_names_;
  const core::Clock& clock_;
  std::filesystem::path spool_dir_;
};

}  // namespace basalt::oauth2
