#include "basalt/oauth2/providers.hpp"

#include <array>
#include <boost/json/value.hpp>

#include "basalt/oauth2/base64url.hpp"
#include "basalt/oauth2/json_members.hpp"
#include "basalt/oauth2/outbound_http.hpp"

namespace basalt::oauth2 {
namespace {

namespace json = boost::json;

constexpr std::string_view kOidcScopes = "openid email profile";

constexpr std::array<ProviderSpec, 9> kProviders{{
    {"oidc", ProviderKind::kOidc, "OIDC", true, kOidcScopes, "", "", ""},
    {"oidc2", ProviderKind::kOidc, "OIDC", true, kOidcScopes, "", "", ""},
    {"oidc3", ProviderKind::kOidc, "OIDC", true, kOidcScopes, "", "", ""},
    {"google", ProviderKind::kGoogle, "Google", true,
     "https://www.googleapis.com/auth/userinfo.profile "
     "https://www.googleapis.com/auth/userinfo.email",
     "https://accounts.google.com/o/oauth2/v2/auth", "https://oauth2.googleapis.com/token",
     "https://www.googleapis.com/oauth2/v3/userinfo"},
    {"github", ProviderKind::kGithub, "GitHub", true, "read:user user:email",
     "https://github.com/login/oauth/authorize", "https://github.com/login/oauth/access_token",
     "https://api.github.com/user"},
    {"microsoft", ProviderKind::kMicrosoft, "Microsoft", true, "User.Read",
     "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
     "https://login.microsoftonline.com/common/oauth2/v2.0/token",
     "https://graph.microsoft.com/v1.0/me"},
    {"apple", ProviderKind::kApple, "Apple", true, "name email",
     "https://appleid.apple.com/auth/authorize", "https://appleid.apple.com/auth/token", ""},
    {"gitlab", ProviderKind::kGitlab, "GitLab", true, "read_user",
     "https://gitlab.com/oauth/authorize", "https://gitlab.com/oauth/token",
     "https://gitlab.com/api/v4/user"},
    {"discord", ProviderKind::kDiscord, "Discord", true, "identify email",
     "https://discord.com/api/oauth2/authorize", "https://discord.com/api/oauth2/token",
     "https://discord.com/api/users/@me"},
}};

// A numeric id (GitHub, GitLab) as decimal text; a string id as is.
std::string id_text(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  return {};
}

// PocketBase reads email_verified as a bool or a string ("true"; some providers send that).
bool truthy(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return false;
  if (v->is_bool()) return v->get_bool();
  if (v->is_string()) return v->get_string() == "true" || v->get_string() == "1";
  if (v->is_int64()) return v->get_int64() != 0;
  return false;
}

std::string trim(std::string s) {
  const auto begin = s.find_first_not_of(' ');
  if (begin == std::string::npos) return {};
  return s.substr(begin, s.find_last_not_of(' ') - begin + 1);
}

}  // namespace

const ProviderSpec* find_provider_spec(std::string_view name) noexcept {
  for (const auto& spec : kProviders) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<ProviderSettings> resolve_provider(const schema::OAuth2ProviderConfig& config) {
  const ProviderSpec* spec = find_provider_spec(config.name);
  if (!spec) return std::nullopt;
  ProviderSettings p;
  p.spec = spec;
  p.name = config.name;
  p.display_name =
      config.display_name.empty() ? std::string(spec->display_name) : config.display_name;
  p.client_id = config.client_id;
  p.client_secret = config.client_secret;
  p.auth_url = config.auth_url.empty() ? std::string(spec->auth_url) : config.auth_url;
  p.token_url = config.token_url.empty() ? std::string(spec->token_url) : config.token_url;
  p.user_info_url =
      config.user_info_url.empty() ? std::string(spec->user_info_url) : config.user_info_url;
  p.pkce = config.pkce.value_or(spec->pkce);
  if (config.extra.is_object()) p.extra = config.extra.get_object();
  if (p.auth_url.empty() || p.token_url.empty()) return std::nullopt;
  return p;
}

AuthUser map_user(ProviderKind kind, const json::object& raw) {
  AuthUser user;
  user.raw = raw;
  switch (kind) {
    case ProviderKind::kOidc:
      user.id = string_member(raw, "sub");
      user.name = string_member(raw, "name");
      user.username = string_member(raw, "preferred_username");
      user.avatar_url = string_member(raw, "picture");
      if (truthy(raw, "email_verified")) user.email = string_member(raw, "email");
      break;
    case ProviderKind::kGoogle:
      user.id = string_member(raw, "sub");
      user.name = string_member(raw, "name");
      user.avatar_url = string_member(raw, "picture");
      if (truthy(raw, "email_verified")) user.email = string_member(raw, "email");
      break;
    case ProviderKind::kGithub:
      user.id = id_text(raw, "id");
      user.name = string_member(raw, "name");
      user.username = string_member(raw, "login");
      user.email = string_member(raw, "email");
      user.avatar_url = string_member(raw, "avatar_url");
      break;
    case ProviderKind::kMicrosoft:
      user.id = string_member(raw, "id");
      user.name = string_member(raw, "displayName");
      user.email = string_member(raw, "mail");
      break;
    case ProviderKind::kApple: {
      user.id = string_member(raw, "sub");
      user.name = string_member(raw, "name");
      if (truthy(raw, "email_verified")) user.email = string_member(raw, "email");
      if (user.name.empty()) {
        const json::value* u = raw.if_contains("user");
        const json::value* n = u && u->is_object() ? u->get_object().if_contains("name") : nullptr;
        if (n && n->is_object()) {
          user.name = trim(string_member(n->get_object(), "firstName") + " " +
                           string_member(n->get_object(), "lastName"));
        }
      }
      break;
    }
    case ProviderKind::kGitlab:
      user.id = id_text(raw, "id");
      user.name = string_member(raw, "name");
      user.username = string_member(raw, "username");
      user.email = string_member(raw, "email");
      user.avatar_url = string_member(raw, "avatar_url");
      break;
    case ProviderKind::kDiscord: {
      user.id = string_member(raw, "id");
      user.username = string_member(raw, "username");
      user.name = user.username + "#" + string_member(raw, "discriminator");
      user.avatar_url = "https://cdn.discordapp.com/avatars/" + user.id + "/" +
                        string_member(raw, "avatar") + ".png";
      if (truthy(raw, "verified")) user.email = string_member(raw, "email");
      break;
    }
  }
  if (user.id.empty()) throw UserMappingError("the provider's user data names no user id");
  return user;
}

std::string build_auth_url(const ProviderSettings& provider, std::string_view state,
                           std::string_view code_challenge, std::string_view nonce) {
  // Keys sorted, as Go's url.Values encodes them (PocketBase's URLs look the same).
  std::string query = "client_id=" + form_escape(provider.client_id);
  if (!code_challenge.empty()) {
    query += "&code_challenge=" + form_escape(code_challenge);
    query += "&code_challenge_method=S256";
  }
  if (!nonce.empty()) query += "&nonce=" + form_escape(nonce);
  if (provider.spec->kind == ProviderKind::kApple) query += "&response_mode=form_post";
  query += "&response_type=code";
  if (!provider.spec->scopes.empty()) query += "&scope=" + form_escape(provider.spec->scopes);
  query += "&state=" + form_escape(state);
  const char joiner = provider.auth_url.find('?') == std::string::npos ? '?' : '&';
  return provider.auth_url + joiner + query + "&redirect_uri=";
}

std::string nonce_for_verifier(std::string_view code_verifier) {
  return s256_challenge(std::string("basalt-oidc-nonce:") + std::string(code_verifier));
}

json::object auth_user_meta(const AuthUser& user, bool is_new) {
  json::object meta;
  meta["expiry"] = user.expiry;
  meta["rawUser"] = user.raw;
  meta["id"] = user.id;
  meta["name"] = user.name;
  meta["username"] = user.username;
  meta["email"] = user.email;
  meta["avatarURL"] = user.avatar_url;
  meta["accessToken"] = user.access_token;
  meta["refreshToken"] = user.refresh_token;
  meta["avatarUrl"] = user.avatar_url;  // the legacy spelling older SDKs read
  meta["isNew"] = is_new;
  return meta;
}

}  // namespace basalt::oauth2
