// The first-run install link (docs/dashboard.md, "First run"): while no superuser exists,
// `serve` prints `http://<addr>/_/#/install?token=…`, which opens the dashboard's install page
// to create the first superuser in the browser. As PocketBase does, the token is a static
// (non-refreshable) superuser auth token of a placeholder superuser, kInstallerEmail, with a
// random password nobody knows; the page creates the real superuser through the ordinary
// records API and then deletes the placeholder, which makes the token worthless (single use).
//
// Bounds: the token expires after kInstallLinkSeconds; every start sets a new random password
// on the placeholder, which rotates its tokenKey, so links printed by earlier starts stop
// working. Tokens are checked like any auth token (signature compared in constant time).
// Runs on the main thread at startup (blocking calls through AdminCommands).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "basalt/app/admin_commands.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"

namespace basalt::app {

// The placeholder superuser's email (PocketBase's, so a data directory moves both ways).
inline constexpr std::string_view kInstallerEmail = "__pbinstaller@example.com";
inline constexpr std::int64_t kInstallLinkSeconds = 30 * 60;

// Superusers other than the placeholder.
std::int64_t count_real_superusers(db::Database& database);

// When no real superuser exists: creates the placeholder (or gives it a new password) and
// returns a token for it valid kInstallLinkSeconds. nullopt when a real superuser exists, after
// deleting a placeholder left over.
// Throws std::runtime_error when the placeholder cannot be written.
std::optional<std::string> issue_install_token(db::Database& database,
                                               collections::CollectionService& collections,
                                               AdminCommands& commands, const core::Clock& clock);

// `http://<host>:<port>/_/#/install?token=<token>`; a wildcard listen address becomes loopback.
std::string install_link(std::string_view host, unsigned port, std::string_view token);

}  // namespace basalt::app
