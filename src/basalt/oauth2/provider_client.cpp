#include "basalt/oauth2/provider_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "basalt/oauth2/id_token.hpp"
#include "basalt/oauth2/json_members.hpp"
#include "basalt/oauth2/outbound_http.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::oauth2 {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxApiBytes = 1 << 20;
constexpr std::string_view kAppleIssuer = "https://appleid.apple.com";
constexpr std::string_view kAppleJwks = "https://appleid.apple.com/auth/keys";

std::string status_reason(const OutboundResponse& response) {
  return response.error.empty() ? "status " + std::to_string(response.status) : response.error;
}

json::object parse_object(const std::string& body) {
  boost::system::error_code ec;
  json::value value = json::parse(body, ec);
  if (ec || !value.is_object()) return {};
  return std::move(value.get_object());
}

// "issuers" of a provider's extra options: a string or an array of strings.
std::vector<std::string> configured_issuers(const json::object& extra) {
  std::vector<std::string> out;
  const json::value* v = extra.if_contains("issuers");
  if (v && v->is_array()) {
    for (const auto& item : v->get_array()) {
      if (item.is_string()) out.emplace_back(item.get_string());
    }
  } else if (v && v->is_string()) {
    out.emplace_back(v->get_string());
  }
  return out;
}

}  // namespace

json::object ProviderClient::exchange_code(const ProviderSettings& provider,
                                           const CodeExchange& exchange, Deadline deadline) const {
  OutboundRequest request;
  request.method = "POST";
  request.url = provider.token_url;
  request.headers = {"Accept: application/json", "Content-Type: application/x-www-form-urlencoded"};
  request.body = "grant_type=authorization_code&code=" + form_escape(exchange.code) +
                 "&redirect_uri=" + form_escape(exchange.redirect_url) +
                 "&client_id=" + form_escape(provider.client_id) +
                 "&client_secret=" + form_escape(provider.client_secret);
  if (provider.pkce) request.body += "&code_verifier=" + form_escape(exchange.code_verifier);
  request.max_body = kMaxApiBytes;
  request.deadline = deadline;
  OutboundResponse response = fetch(request, keys_.policy());
  if (!response.ok()) {
    throw FlowError(std::string(kTokenFailed),
                    "token endpoint of " + provider.name + ": " + status_reason(response));
  }
  json::object token = parse_object(response.body);
  if (string_member(token, "access_token").empty()) {
    throw FlowError(std::string(kTokenFailed),
                    "token endpoint of " + provider.name + " answered no access_token");
  }
  return token;
}

json::object ProviderClient::get_json(const std::string& url, const std::string& access_token,
                                      Deadline deadline) const {
  OutboundRequest request;
  request.url = url;
  request.headers = {"Accept: application/json", "Authorization: Bearer " + access_token};
  request.max_body = kMaxApiBytes;
  request.deadline = deadline;
  OutboundResponse response = fetch(request, keys_.policy());
  if (!response.ok()) {
    throw FlowError(std::string(kUserFailed), "user API " + status_reason(response));
  }
  boost::system::error_code ec;
  json::value value = json::parse(response.body, ec);
  if (ec || !value.is_object()) {
    throw FlowError(std::string(kUserFailed), "user API answered no JSON object");
  }
  return std::move(value.get_object());
}

json::object ProviderClient::verified_id_token(const ProviderSettings& provider,
                                               const std::string& id_token,
                                               const std::string& nonce,
                                               std::chrono::system_clock::time_point now,
                                               Deadline deadline) const {
  try {
    UnverifiedIdToken token = parse_id_token(id_token);
    IdTokenExpectations expected;
    expected.audience = provider.client_id;
    expected.nonce = nonce;
    expected.now = now;
    std::string jwks_url = string_member(provider.extra, "jwksURL");
    expected.issuers = configured_issuers(provider.extra);
    if (provider.spec->kind == ProviderKind::kApple) {
      if (expected.issuers.empty()) expected.issuers.emplace_back(kAppleIssuer);
      if (jwks_url.empty()) jwks_url = kAppleJwks;
    } else if (jwks_url.empty() || expected.issuers.empty()) {
      Discovery d = keys_.discover(provider.auth_url, string_member(provider.extra, "discoveryURL"),
                                   deadline);
      if (jwks_url.empty()) jwks_url = d.jwks_uri;
      if (expected.issuers.empty()) expected.issuers.push_back(d.issuer);
    }
    Jwk key = keys_.key(jwks_url, token.kid, deadline);
    return verify_id_token(token, key, expected);
  } catch (const IdTokenError& e) {
    throw FlowError(std::string(kUserFailed), e.what());
  } catch (const DiscoveryError& e) {
    throw FlowError(std::string(kUserFailed), e.what());
  }
}

std::string ProviderClient::github_primary_email(const ProviderSettings& provider,
                                                 const std::string& access_token,
                                                 Deadline deadline) const {
  OutboundRequest request;
  request.url = provider.user_info_url + "/emails";
  request.headers = {"Accept: application/json", "Authorization: Bearer " + access_token};
  request.max_body = kMaxApiBytes;
  request.deadline = deadline;
  OutboundResponse response = fetch(request, keys_.policy());
  // Missing scopes only cost the email (as PocketBase: optional).
  if (response.error.empty() &&
      (response.status == 401 || response.status == 403 || response.status == 404)) {
    return {};
  }
  if (!response.ok()) {
    throw FlowError(std::string(kUserFailed), "emails API " + status_reason(response));
  }
  boost::system::error_code ec;
  json::value value = json::parse(response.body, ec);
  if (ec || !value.is_array()) return {};
  for (const auto& item : value.get_array()) {
    if (!item.is_object()) continue;
    const auto& o = item.get_object();
    const auto* verified = o.if_contains("verified");
    const auto* primary = o.if_contains("primary");
    if (verified && verified->is_bool() && verified->get_bool() && primary && primary->is_bool() &&
        primary->get_bool()) {
      return string_member(o, "email");
    }
  }
  return {};
}

AuthUser ProviderClient::fetch_user(const ProviderSettings& provider, const CodeExchange& exchange,
                                    std::chrono::system_clock::time_point now) const {
  const Deadline deadline = std::chrono::steady_clock::now() + kFlowTimeout;
  json::object token = exchange_code(provider, exchange, deadline);
  const std::string access_token = string_member(token, "access_token");
  const std::string id_token = string_member(token, "id_token");
  const ProviderKind kind = provider.spec->kind;
  json::object raw;
  if (kind == ProviderKind::kOidc || kind == ProviderKind::kApple) {
    const std::string nonce = provider.pkce && kind == ProviderKind::kOidc
                                  ? nonce_for_verifier(exchange.code_verifier)
                                  : std::string();
    json::object claims;
    if (!id_token.empty()) {
      claims = verified_id_token(provider, id_token, nonce, now, deadline);
    } else if (kind == ProviderKind::kApple || provider.user_info_url.empty()) {
      throw FlowError(std::string(kUserFailed), "the token answer has no id_token");
    }
    if (!provider.user_info_url.empty()) {
      raw = get_json(provider.user_info_url, access_token, deadline);
      // OpenID Connect Core §5.3.2: the userinfo is about the id_token's subject.
      if (!claims.empty() && string_member(raw, "sub") != string_member(claims, "sub")) {
        throw FlowError(std::string(kUserFailed), "userinfo sub differs from the id_token's");
      }
    } else {
      raw = std::move(claims);
    }
  } else {
    raw = get_json(provider.user_info_url, access_token, deadline);
  }
  AuthUser user;
  try {
    user = map_user(kind, raw);
  } catch (const UserMappingError& e) {
    throw FlowError(std::string(kUserFailed), e.what());
  }
  if (kind == ProviderKind::kGithub && user.email.empty()) {
    user.email = github_primary_email(provider, access_token, deadline);
  }
  user.access_token = access_token;
  user.refresh_token = string_member(token, "refresh_token");
  const json::value* expires_in = token.if_contains("expires_in");
  std::int64_t seconds = 0;
  if (expires_in && expires_in->is_int64()) seconds = expires_in->get_int64();
  if (expires_in && expires_in->is_uint64())
    seconds = static_cast<std::int64_t>(expires_in->get_uint64());
  if (expires_in && expires_in->is_string()) {
    try {
      seconds = std::stoll(std::string(expires_in->get_string()));
    } catch (const std::exception&) {
      seconds = 0;
    }
  }
  if (seconds > 0 && seconds < 10LL * 365 * 24 * 3600) {
    user.expiry = schema::format_datetime(now + std::chrono::seconds(seconds));
  }
  return user;
}

core::TempFile ProviderClient::download_avatar(const std::string& url, std::size_t max_bytes,
                                               const std::filesystem::path& dir,
                                               std::string& error) const {
  OutboundRequest request;
  request.url = url;
  request.max_body = max_bytes;
  request.follow_redirects = true;
  OutboundResponse response = fetch(request, keys_.policy());
  if (!response.ok() || response.body.empty()) {
    error = response.body.empty() && response.ok() ? "empty answer" : status_reason(response);
    return {};
  }
  try {
    core::TempFile file = core::TempFile::create(dir, "oauth2-avatar");
    file.write(response.body);
    file.close();
    return file;
  } catch (const std::system_error& e) {
    error = e.what();
    return {};
  }
}

}  // namespace basalt::oauth2
