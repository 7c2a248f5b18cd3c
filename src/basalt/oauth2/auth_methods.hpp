// The `oauth2.providers` list of GET /api/collections/{c}/auth-methods (docs/oauth2.md): one
// entry per configured provider Basalt knows, each with a fresh 30-character state and, for
// PKCE providers, a fresh 43-character code verifier with its S256 challenge; authURL ends in
// an empty redirect_uri the client completes. Entries in PocketBase's key order, including the
// legacy "authUrl" copy.
#pragma once

#include <boost/json/array.hpp>

#include "basalt/schema/collection.hpp"

namespace basalt::oauth2 {

boost::json::array auth_method_providers(const schema::Collection& collection);

}  // namespace basalt::oauth2
