#include "basalt/oauth2/key_directory.hpp"
#include "basalt/oauth2/json_members.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <vector>

namespace basalt::oauth2 {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxDocumentBytes = 256 * 1024;
constexpr std::size_t kMaxDiscoveryAttempts = 4;

template <typename Map>
void evict_oldest(Map& map) {
  while (map.size() >= kMaxCachedEntries) {
    auto oldest = map.begin();
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (it->second.fetched < oldest->second.fetched) oldest = it;
    }
    map.erase(oldest);
  }
}

std::string without_query(const std::string& url) {
  return url.substr(0, url.find_first_of("?#"));
}

// The well-known discovery URLs under each parent path of `auth_url`, most specific first.
std::vector<std::string> discovery_candidates(const std::string& auth_url) {
  const std::string base = without_query(auth_url);
  const auto scheme_end = base.find("://");
  if (scheme_end == std::string::npos) return {};
  const auto path_start = base.find('/', scheme_end + 3);
  const std::string origin = path_start == std::string::npos ? base : base.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "" : base.substr(path_start);
  std::vector<std::string> out;
  while (out.size() < kMaxDiscoveryAttempts) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) break;
    path.resize(slash);
    out.push_back(origin + path + "/.well-known/openid-configuration");
    if (path.empty()) break;
  }
  return out;
}

}  // namespace

std::optional<Discovery> KeyDirectory::fetch_discovery(const std::string& url,
                                                       const std::string& auth_url,
                                                       Deadline deadline) {
  OutboundRequest request;
  request.url = url;
  request.headers = {"Accept: application/json"};
  request.max_body = kMaxDocumentBytes;
  request.deadline = deadline;
  OutboundResponse response = fetch(request, policy_);
  if (!response.ok()) return std::nullopt;
  boost::system::error_code ec;
  json::value doc = json::parse(response.body, ec);
  if (ec || !doc.is_object()) return std::nullopt;
  const json::object& o = doc.get_object();
  Discovery d{string_member(o, "issuer"), string_member(o, "jwks_uri"),
              string_member(o, "userinfo_endpoint")};
  if (d.issuer.empty() || d.jwks_uri.empty()) return std::nullopt;
  // Only the document of this provider: its authorization endpoint is the configured one.
  if (!auth_url.empty() && string_member(o, "authorization_endpoint") != without_query(auth_url)) {
    return std::nullopt;
  }
  return d;
}

Discovery KeyDirectory::discover(const std::string& auth_url, const std::string& discovery_url,
                                 Deadline deadline) {
  const std::string cache_key = discovery_url.empty() ? auth_url : discovery_url;
  {
    std::lock_guard lock(mutex_);
    auto found = discoveries_.find(cache_key);
    if (found != discoveries_.end() && Clock::now() - found->second.fetched < kCacheTtl) {
      return found->second.document;
    }
  }
  std::optional<Discovery> document;
  if (!discovery_url.empty()) {
    document = fetch_discovery(discovery_url, "", deadline);
  } else {
    for (const auto& candidate : discovery_candidates(auth_url)) {
      document = fetch_discovery(candidate, auth_url, deadline);
      if (document) break;
    }
  }
  if (!document) throw DiscoveryError("no OpenID discovery document found for the provider");
  std::lock_guard lock(mutex_);
  evict_oldest(discoveries_);
  discoveries_[cache_key] = {*document, Clock::now()};
  return *document;
}

std::shared_ptr<const JwkSet> KeyDirectory::fetch_keys(const std::string& jwks_url,
                                                       Deadline deadline) {
  OutboundRequest request;
  request.url = jwks_url;
  request.headers = {"Accept: application/json"};
  request.max_body = kMaxDocumentBytes;
  request.deadline = deadline;
  OutboundResponse response = fetch(request, policy_);
  if (!response.ok()) {
    throw DiscoveryError(
        "the provider's JWKS could not be fetched: " +
        (response.error.empty() ? "status " + std::to_string(response.status) : response.error));
  }
  auto set = JwkSet::parse(response.body);
  if (!set) throw DiscoveryError("the provider's JWKS is not a key set");
  return std::make_shared<const JwkSet>(std::move(*set));
}

Jwk KeyDirectory::key(const std::string& jwks_url, const std::string& kid, Deadline deadline) {
  std::shared_ptr<const JwkSet> cached;
  bool may_refetch = true;
  {
    std::lock_guard lock(mutex_);
    auto found = keys_.find(jwks_url);
    if (found != keys_.end()) {
      const auto age = Clock::now() - found->second.fetched;
      if (age < kCacheTtl) cached = found->second.keys;
      may_refetch = age >= kRefetchInterval;
    }
  }
  if (cached) {
    if (const Jwk* key = cached->find(kid)) return *key;
    if (!may_refetch) throw DiscoveryError("no key \"" + kid + "\" in the provider's JWKS");
  }
  auto fresh = fetch_keys(jwks_url, deadline);
  {
    std::lock_guard lock(mutex_);
    if (!keys_.contains(jwks_url)) evict_oldest(keys_);
    keys_[jwks_url] = {fresh, Clock::now()};
  }
  if (const Jwk* key = fresh->find(kid)) return *key;
  throw DiscoveryError("no key \"" + kid + "\" in the provider's JWKS");
}

}  // namespace basalt::oauth2
