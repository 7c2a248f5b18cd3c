// AuthContext: who is calling, resolved once per request from its `Authorization` header
// (spec §1.2): a guest, or an auth record of some auth collection (superusers are the records
// of `_superusers`). Every service takes it; every transport builds it with authenticate().
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "basalt/auth/tokens.hpp"
#include "basalt/db/database.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::auth {

struct AuthContext {
  std::shared_ptr<const schema::Collection> collection;  // null for a guest
  boost::json::object record;                            // every field, as stored
  TokenClaims claims;                                    // of the token presented

  bool is_guest() const noexcept { return collection == nullptr; }
  bool is_superuser() const noexcept;
  std::string_view record_id() const noexcept;
};

// Finds a collection by id in the current catalog; null when there is none. The pointer keeps
// its catalog snapshot alive.
using CollectionFinder =
    std::function<std::shared_ptr<const schema::Collection>(std::string_view id)>;

// Resolves an `Authorization` header value: a JWT, optionally after "Bearer " (any case). A
// missing, malformed, expired or forged token, a non-auth token type, an unknown record or a
// non-auth collection all give a guest, never an error (PocketBase ignores bad tokens; the
// routes that need auth answer 401/403 themselves). Reads one row by primary key.
boost::asio::awaitable<AuthContext> authenticate(std::string_view authorization,
                                                 db::Database& database,
                                                 const CollectionFinder& find_collection,
                                                 std::chrono::system_clock::time_point now);

// A fresh auth token for `record` of `collection` (refreshable), signed with its tokenKey and
// the collection's authToken secret, valid for authToken.duration.
std::string issue_auth_token(const schema::Collection& collection,
                             const boost::json::object& record,
                             std::chrono::system_clock::time_point now);

}  // namespace basalt::auth
