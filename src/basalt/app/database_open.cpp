#include "basalt/app/database_open.hpp"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "basalt/app/run_blocking.hpp"
#include "basalt/core/database_url.hpp"
#include "basalt/db/postgres/postgres_database.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/query/filter_dialect.hpp"

namespace basalt::app {
namespace {

// Any fixed number: instances starting together on one server take turns replacing the
// functions (CREATE OR REPLACE of the same function at once fails with "tuple concurrently
// updated" instead of waiting).
constexpr std::int64_t kSetupLockKey = 0x62617361'6c740001;  // "basalt" + 1

// The types and functions compiled filters call on PostgreSQL, replaced at every start so a
// newer binary's versions take effect. One job: all of them or none.
void install_filter_functions(db::Database& database) {
  const std::vector<std::string>& statements =
      query::filter_dialect_for(database.dialect()).setup_statements();
  run_blocking(database.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const std::int64_t key = kSetupLockKey;
    co_await tx.execute("SELECT pg_advisory_xact_lock($1)", key);
    for (const std::string& statement : statements) co_await tx.execute(statement);
  }));
}

}  // namespace

OpenedDatabase open_database(const core::Config& config) {
  OpenedDatabase opened;
  if (!core::is_postgres_url(config.database_url)) {
    db::SqliteOptions options = db::sqlite_options(config);
    // Written at every record change and delivery: their rows do not bring the next refresh
    // of the planner statistics closer (docs/architecture.md, "Planner statistics").
    options.statistics_uncounted_tables = {std::string(events::kOutboxTable),
                                           std::string(events::kDeliveriesTable)};
    opened.database = db::open_sqlite(options);
    spdlog::info("database: SQLite in {}", config.data_dir);
    return opened;
  }
  std::filesystem::create_directories(config.data_dir);
  opened.lock = std::make_unique<db::sqlite::LockFile>(config.data_dir);
  spdlog::info("database: PostgreSQL at {}", core::masked_database_url(config.database_url));
  opened.database = db::open_postgres(db::postgres_options(config, config.database_url),
                                      std::make_shared<const db::PostgresDialect>());
  install_filter_functions(*opened.database);
  return opened;
}

}  // namespace basalt::app
