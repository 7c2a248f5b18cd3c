// The OAuth2 providers Basalt knows (docs/oauth2.md, "Providers"): their default endpoints,
// scopes and PKCE use, and how each provider's user data maps onto the common AuthUser - the
// same names, endpoints and mappings as PocketBase's tools/auth providers.
//
//   oidc, oidc2, oidc3   generic OpenID Connect: endpoints configured, id_token verified with
//                        the provider's JWKS (discovery), user data from userinfo or the token
//   google, github, microsoft, gitlab, discord   user data from their user API
//   apple                user data from the verified id_token only (Apple has no userinfo)
//
// Pure functions and constant tables: safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "basalt/schema/auth_options.hpp"

namespace basalt::oauth2 {

enum class ProviderKind { kOidc, kGoogle, kGithub, kMicrosoft, kApple, kGitlab, kDiscord };

struct ProviderSpec {
  std::string_view name;
  ProviderKind kind;
  std::string_view display_name;
  bool pkce;
  std::string_view scopes;  // space separated, as sent
  std::string_view auth_url;
  std::string_view token_url;
  std::string_view user_info_url;
};

// nullptr for a name Basalt has no provider for.
const ProviderSpec* find_provider_spec(std::string_view name) noexcept;
inline bool is_known_provider(std::string_view name) noexcept {
  return find_provider_spec(name) != nullptr;
}

// One configured provider of a collection: its spec with the collection's overrides applied
// (non-empty URLs and display name, pkce when set).
struct ProviderSettings {
  const ProviderSpec* spec = nullptr;
  std::string name;
  std::string display_name;
  std::string client_id;
  std::string client_secret;
  std::string auth_url;
  std::string token_url;
  std::string user_info_url;  // may be empty for oidc (the id_token then carries the user)
  bool pkce = true;
  boost::json::object extra;
};

// nullopt when the name is unknown or an endpoint the provider needs is missing (a generic
// OIDC provider without authURL or tokenURL).
std::optional<ProviderSettings> resolve_provider(const schema::OAuth2ProviderConfig& config);

// The provider's user, normalised (PocketBase's auth.AuthUser).
struct AuthUser {
  std::string id;
  std::string name;
  std::string username;
  std::string email;  // only when the provider says it is verified (or, like GitHub, only
                      // returns verified addresses)
  std::string avatar_url;
  std::string access_token;
  std::string refresh_token;
  std::string expiry;  // PocketBase datetime text, "" when the token has none
  boost::json::object raw;
};

class UserMappingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Maps the provider's raw user data (user API answer, or id_token claims). Throws
// UserMappingError when it names no user id.
AuthUser map_user(ProviderKind kind, const boost::json::object& raw);

// The authorization URL of auth-methods: the provider's authURL with response_type, client_id,
// scope, state and, when set, the PKCE challenge (S256) and nonce, then an empty
// "&redirect_uri=" the client completes (as PocketBase answers it).
std::string build_auth_url(const ProviderSettings& provider, std::string_view state,
                           std::string_view code_challenge, std::string_view nonce);

// The nonce Basalt sends to OpenID providers with PKCE: derived from the code verifier, so the
// id_token can be tied to the flow that asked for it without keeping server-side state.
std::string nonce_for_verifier(std::string_view code_verifier);

// The `meta` member of the sign-in answer, in PocketBase's key order.
boost::json::object auth_user_meta(const AuthUser& user, bool is_new);

}  // namespace basalt::oauth2
