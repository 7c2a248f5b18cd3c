// The caller's AuthContext for a REST request, from its Authorization header (spec §1.2), and
// the guards of routes that need one.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"

namespace basalt::api {

// A guest when the header is missing or the token is not valid (never an error).
boost::asio::awaitable<auth::AuthContext> request_auth(const Services& services,
                                                       const http::Request& request);

// The client address without its port (a view into `request`): the key that rate limits and
// the password-hashing bound count by.
std::string_view client_ip(const http::Request& request);

// The record service's view of the caller (borrows `context` and `request`, which must
// outlive it).
records::Caller caller_of(const auth::AuthContext& context, const http::Request& request);

// RequireSameCollectionContextAuth: 401 for a guest, 403 for a record of another collection.
void require_collection_auth(const auth::AuthContext& context,
                             const schema::Collection& collection);

// RequireSuperuserAuth: 401 for a guest, 403 for a non-superuser.
void require_superuser(const auth::AuthContext& context);

}  // namespace basalt::api
