#include "basalt/oauth2/auth_methods.hpp"

#include <boost/json/object.hpp>

#include "basalt/oauth2/base64url.hpp"
#include "basalt/oauth2/providers.hpp"
#include "basalt/schema/ids.hpp"

namespace basalt::oauth2 {
namespace {

constexpr std::size_t kStateLength = 30;
constexpr std::size_t kCodeVerifierLength = 43;

}  // namespace

boost::json::array auth_method_providers(const schema::Collection& collection) {
  boost::json::array out;
  const auto& providers = collection.auth.oauth2.providers;
  if (!collection.auth.oauth2.enabled || !providers) return out;
  for (const auto& config : *providers) {
    std::optional<ProviderSettings> provider = resolve_provider(config);
    if (!provider) continue;  // unknown or incomplete: not offered (as PocketBase skips it)
    const std::string state = schema::random_string(kStateLength);
    std::string verifier, challenge, nonce;
    if (provider->pkce) {
      verifier = schema::random_string(kCodeVerifierLength);
      challenge = s256_challenge(verifier);
      if (provider->spec->kind == ProviderKind::kOidc) nonce = nonce_for_verifier(verifier);
    }
    const std::string url = build_auth_url(*provider, state, challenge, nonce);
    boost::json::object entry;
    entry["name"] = provider->name;
    entry["displayName"] = provider->display_name;
    entry["state"] = state;
    entry["authURL"] = url;
    entry["authUrl"] = url;
    entry["codeVerifier"] = verifier;
    entry["codeChallenge"] = challenge;
    entry["codeChallengeMethod"] = provider->pkce ? "S256" : "";
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace basalt::oauth2
