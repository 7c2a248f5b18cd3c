// KeyDirectory: the OpenID discovery documents and JWKS of the providers in use, fetched on
// demand and cached (docs/oauth2.md, "id_token checks").
//
// Invariants:
//  1. Bounded: at most kMaxCachedEntries discovery documents and as many key sets; the least
//     recently fetched entry goes first. Entries live kCacheTtl.
//  2. A token naming a kid the cached set lacks makes one refetch of that set (providers rotate
//     keys), at most once per kRefetchInterval per set, so forged kids cannot make the server
//     hammer a provider.
//  3. Fetches are blocking (outbound_http.hpp): call from the OAuth2 pool only.
//
// Threads: any; one mutex guards both maps (never held during a fetch).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "basalt/oauth2/jwk.hpp"
#include "basalt/oauth2/outbound_http.hpp"

namespace basalt::oauth2 {

inline constexpr std::size_t kMaxCachedEntries = 32;
inline constexpr std::chrono::minutes kCacheTtl{60};
inline constexpr std::chrono::seconds kRefetchInterval{30};

struct Discovery {
  std::string issuer;
  std::string jwks_uri;
  std::string userinfo_endpoint;
};

class DiscoveryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Deadline = std::chrono::steady_clock::time_point;

class KeyDirectory {
 public:
  explicit KeyDirectory(OutboundPolicy policy) : policy_(policy) {}

  // The discovery document of the provider whose authorization endpoint is `auth_url`:
  // `discovery_url` when given, else the well-known document of each parent path of auth_url
  // (most specific first, up to the origin) whose authorization_endpoint is auth_url. Throws
  // DiscoveryError.
  Discovery discover(const std::string& auth_url, const std::string& discovery_url,
                     Deadline deadline = Deadline::max());

  // The key `kid` of the JWKS at `jwks_url` (refetched once when unknown, invariant 2).
  // Throws DiscoveryError when the set cannot be fetched or has no such key.
  Jwk key(const std::string& jwks_url, const std::string& kid, Deadline deadline = Deadline::max());

  const OutboundPolicy& policy() const noexcept { return policy_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct KeyEntry {
    std::shared_ptr<const JwkSet> keys;
    Clock::time_point fetched;
  };
  struct DiscoveryEntry {
    Discovery document;
    Clock::time_point fetched;
  };

  std::shared_ptr<const JwkSet> fetch_keys(const std::string& jwks_url, Deadline deadline);
  std::optional<Discovery> fetch_discovery(const std::string& url, const std::string& auth_url,
                                           Deadline deadline);

  OutboundPolicy policy_;
  std::mutex mutex_;
  std::map<std::string, KeyEntry> keys_;
  std::map<std::string, DiscoveryEntry> discoveries_;
};

}  // namespace basalt::oauth2
