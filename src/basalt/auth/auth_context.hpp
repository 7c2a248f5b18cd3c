// AuthContext: who is calling, resolved once per request from its `Authorization` header
// (docs/security.md, "Callers"): a guest, or an auth record of some auth collection (superusers are
// the records of `_superusers`). Every service takes it; every transport builds it with an
// Authenticator (authenticator.hpp).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <string_view>

#include "basalt/auth/tokens.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::auth {

struct AuthContext {
  std::shared_ptr<const schema::Collection> collection;  // null for a guest
  std::shared_ptr<const boost::json::object> record;     // every field, as stored; null: guest
  TokenClaims claims;                                    // of the token presented
  // A guest whose token was valid but whose record the collection's authRule refuses
  // (auth-refresh answers 403 for it, as PocketBase does; every other route sees a guest).
  bool refused_by_auth_rule = false;

  bool is_guest() const noexcept { return collection == nullptr; }
  bool is_superuser() const noexcept;
  std::string_view record_id() const noexcept;
};

// A fresh auth token for `record` of `collection` (refreshable), signed with its tokenKey and
// the collection's authToken secret, valid for authToken.duration.
std::string issue_auth_token(const schema::Collection& collection,
                             const boost::json::object& record,
                             std::chrono::system_clock::time_point now);

// A file token for the caller (POST /api/files/token; PocketBase NewFileToken): type "file",
// signed with the record's tokenKey and the collection's fileToken secret, valid for
// fileToken.duration. It opens protected files and, for superusers, backup downloads
// (?token=). Throws core::ApiError 401 for a guest.
std::string issue_file_token(const AuthContext& caller, std::chrono::system_clock::time_point now);

}  // namespace basalt::auth
