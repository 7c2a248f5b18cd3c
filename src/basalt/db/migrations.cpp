#include "basalt/db/migrations.hpp"

#include <fmt/format.h>

#include <chrono>
#include <set>
#include <stdexcept>

#include "basalt/db/database_error.hpp"

namespace basalt::db {
namespace {

// The real time, not core::Clock: when a migration ran is bookkeeping of the database file,
// written before any service (and any clock a test would pass) exists.
std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

boost::asio::awaitable<std::vector<std::string>> apply_migrations(
    Database& database, std::span<const Migration> migrations) {
  std::set<std::string_view> names;
  for (const Migration& migration : migrations) {
    if (!names.insert(migration.name).second) {
      throw std::invalid_argument(fmt::format("migration {} is listed twice", migration.name));
    }
  }

  const Dialect& dialect = database.dialect();
  const std::string table = dialect.quote_identifier(kMigrationsTable);
  const std::string create = fmt::format(
      "CREATE TABLE IF NOT EXISTS {} (file {} PRIMARY KEY NOT NULL, applied {} NOT NULL)", table,
      dialect.column_definition_type(ColumnType::kText),
      dialect.column_definition_type(ColumnType::kInteger));
  const std::string find =
      fmt::format("SELECT 1 FROM {} WHERE file = {}", table, dialect.placeholder(1));
  const std::string record = fmt::format("INSERT INTO {} (file, applied) VALUES ({}, {})", table,
                                         dialect.placeholder(1), dialect.placeholder(2));

  co_await database.write(
      [&](Transaction& tx) -> boost::asio::awaitable<void> { co_await tx.execute(create); });

  std::vector<std::string> applied;
  for (const Migration& migration : migrations) {
    bool ran = false;
    try {
      co_await database.write([&](Transaction& tx) -> boost::asio::awaitable<void> {
        ran = false;  // a job may run more than once (Database::write)
        const Params name{std::string(migration.name)};
        if (!(co_await tx.query(find, name)).empty()) co_return;
        co_await migration.apply(tx);
        const Params row{std::string(migration.name), now_micros()};
        co_await tx.execute(record, row);
        ran = true;
      });
    } catch (const std::exception& error) {
      throw DatabaseError(fmt::format("migration {} failed: {}", migration.name, error.what()));
    }
    if (ran) applied.emplace_back(migration.name);
  }
  co_return applied;
}

}  // namespace basalt::db
