// The migrations runner for system tables: ordered, named steps applied once each.
//
// Contract:
// - Migrations run in the order given, each as one write job — its own savepoint of a
//   committed transaction — together with the row recording it in
//   `_migrations(file TEXT PRIMARY KEY, applied INTEGER)` (`applied`: Unix time in
//   microseconds, as PocketBase records it). A migration that throws leaves nothing behind,
//   not even its row, and apply_migrations stops there with a DatabaseError naming it; the
//   ones before it stay applied.
// - A migration already recorded is skipped, so running the same list again is a no-op and
//   a list that grew runs only its new steps. Recorded names missing from the list (from a
//   newer binary) are left alone.
// - Names must be unique within the list (std::invalid_argument otherwise).
// - `migrations` must stay alive until the returned awaitable completes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/database.hpp"

namespace basalt::db {

struct Migration {
  std::string_view name;  // e.g. "1700000000_create_params"; the _migrations.file value
  WriteJob apply;
};

inline constexpr std::string_view kMigrationsTable = "_migrations";

// Applies the migrations not yet recorded and returns their names, in order.
boost::asio::awaitable<std::vector<std::string>> apply_migrations(
    Database& database, std::span<const Migration> migrations);

}  // namespace basalt::db
