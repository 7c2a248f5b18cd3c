// File tokens (docs/files.md, "Protected files"): short-lived JWTs of type "file" that let a
// URL carry its viewer (`?token=`), since a browser's <img src> sends no Authorization header.
// Signed with the record's tokenKey followed by its collection's fileToken secret and lasting
// fileToken.duration seconds (180 by default), as PocketBase's Record.NewFileToken.
//
// Thread safety: free functions; file_token_viewer reads through the database's thread-safe
// interface and the catalog snapshot.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "basalt/auth/auth_context.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/db/database.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::auth {

// A file token for `record` of the auth collection `collection`, issued at `now`. Throws
// std::invalid_argument when the collection's fileToken duration is not positive.
std::string issue_file_token(const schema::Collection& collection,
                             const boost::json::object& record,
                             std::chrono::system_clock::time_point now);

// The auth record a file token names, as an AuthContext, when the token is a well-formed file
// token of an existing record of an auth collection whose signature (tokenKey + fileToken
// secret) matches and which has not expired at `now`; a guest otherwise (never an error). As in
// PocketBase, the authRule is not asked: the token was issued to an authenticated caller, and
// a new tokenKey or secret revokes it.
boost::asio::awaitable<AuthContext> file_token_viewer(db::Database& database,
                                                      collections::CollectionService& collections,
                                                      std::string_view token,
                                                      std::chrono::system_clock::time_point now);

}  // namespace basalt::auth
