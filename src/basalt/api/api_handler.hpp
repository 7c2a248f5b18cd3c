// The shape of a REST handler and the access its route declares (routes.cpp). The route's
// wrapper builds the caller's AuthContext once, refuses with PocketBase's 401/403 before the
// handler runs when the declared access is not met, and hands the context to the handler, so
// no handler checks who is calling.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/api/services.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/http/request.hpp"
#include "basalt/http/response.hpp"

namespace basalt::api {

enum class Access {
  kAny,            // guests too; rules in the services decide (records, sign-in, batch)
  kAuthRecord,     // a record of the route's {collection} (RequireSameCollectionContextAuth)
  kAnyAuthRecord,  // a record of any auth collection, superusers included (RequireAuth)
  kSuperuser,      // RequireSuperuserAuth
};

using ApiHandler = boost::asio::awaitable<void> (*)(const Services&, const auth::AuthContext&,
                                                    http::Request&, http::Response&);

}  // namespace basalt::api
