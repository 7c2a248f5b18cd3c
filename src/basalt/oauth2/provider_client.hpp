// ProviderClient: the blocking network half of an OAuth2 sign-in (docs/oauth2.md, "The flow"):
// the authorization-code exchange (client secret and PKCE verifier), then the provider's user -
// from its user API, or for OpenID providers from the verified id_token and userinfo.
//
// Failures throw FlowError with the PocketBase message the client gets ("Failed to fetch OAuth2
// token." / "Failed to fetch OAuth2 user.") and a reason for the server log (never a secret).
//
// Threads: every call blocks on the network; run on the OAuth2 pool, never on an I/O thread.
// Immutable apart from the KeyDirectory's own locked caches.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>

#include "basalt/core/temp_file.hpp"
#include "basalt/oauth2/key_directory.hpp"
#include "basalt/oauth2/providers.hpp"

namespace basalt::oauth2 {

class FlowError : public std::runtime_error {
 public:
  FlowError(std::string public_message, std::string reason)
      : std::runtime_error(std::move(public_message)), reason_(std::move(reason)) {}
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::string reason_;
};

inline constexpr std::string_view kTokenFailed = "Failed to fetch OAuth2 token.";
inline constexpr std::string_view kUserFailed = "Failed to fetch OAuth2 user.";

struct CodeExchange {
  std::string code;
  std::string code_verifier;
  std::string redirect_url;
};

// The bound of one sign-in's outbound calls together (PocketBase gives the flow 30 s too).
inline constexpr std::chrono::seconds kFlowTimeout{30};

class ProviderClient {
 public:
  explicit ProviderClient(KeyDirectory& keys) : keys_(keys) {}

  // Exchanges the code and fetches the user, all calls within kFlowTimeout together. `now`
  // checks the id_token's times.
  AuthUser fetch_user(const ProviderSettings& provider, const CodeExchange& exchange,
                      std::chrono::system_clock::time_point now) const;

  // Downloads an avatar into a temporary file under `dir`, at most `max_bytes`; an empty
  // TempFile when it cannot (logged by the caller; an avatar never fails a sign-in).
  core::TempFile download_avatar(const std::string& url, std::size_t max_bytes,
                                 const std::filesystem::path& dir, std::string& error) const;

 private:
  boost::json::object exchange_code(const ProviderSettings& provider, const CodeExchange& exchange,
                                    Deadline deadline) const;
  boost::json::object get_json(const std::string& url, const std::string& access_token,
                               Deadline deadline) const;
  boost::json::object verified_id_token(const ProviderSettings& provider,
                                        const std::string& id_token, const std::string& nonce,
                                        std::chrono::system_clock::time_point now,
                                        Deadline deadline) const;
  std::string github_primary_email(const ProviderSettings& provider,
                                   const std::string& access_token, Deadline deadline) const;

  KeyDirectory& keys_;
};

}  // namespace basalt::oauth2
