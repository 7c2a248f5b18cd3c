// The OAuth2 provider names a collection may configure (docs/oauth2.md, "Providers"). The
// providers themselves live in the oauth2 module (oauth2/providers.hpp), above the collection
// service; this list is what collection validation checks names against, and the oauth2 unit
// tests keep the two identical.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

namespace basalt::schema {

inline constexpr std::array<std::string_view, 9> kOAuth2ProviderNames{
    "oidc", "oidc2", "oidc3", "google", "github", "microsoft", "apple", "gitlab", "discord"};

inline bool is_oauth2_provider_name(std::string_view name) noexcept {
  return std::find(kOAuth2ProviderNames.begin(), kOAuth2ProviderNames.end(), name) !=
         kOAuth2ProviderNames.end();
}

}  // namespace basalt::schema
