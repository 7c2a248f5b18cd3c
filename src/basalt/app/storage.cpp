#include "basalt/app/storage.hpp"

#include <spdlog/spdlog.h>

#include <cstdint>
#include <optional>

#include "basalt/app/database_open.hpp"
#include "basalt/app/run_blocking.hpp"
#include "basalt/auth/database_rate_limiter.hpp"
#include "basalt/collections/email_index.hpp"
#include "basalt/core/database_url.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/postgres/pg_session.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/jobs/job_store.hpp"

namespace basalt::app {

namespace {

// Any fixed number, other than the filter functions' (database_open.cpp), which is taken
// inside a write job while this one is held.
constexpr std::int64_t kStartupLockKey = 0x62617361'6c740002;  // "basalt" + 2

}  // namespace

Storage::Storage(const core::Config& config, const core::Clock& clock) {
  // PostgreSQL: instances starting together on one database take turns from here to the end of
  // the constructor (docs/scaling.md, "Starting together"): the migrations, the statistics,
  // the first catalog and settings of each see everything the one before committed.
  std::optional<db::postgres::SessionLock> startup_lock;
  if (core::is_postgres_url(config.database_url)) {
    const db::postgres::ConnectionSettings lock_settings =
        db::postgres::connection_settings(config.database_url, config.db.statement_timeout);
    startup_lock.emplace(lock_settings, kStartupLockKey);
  }
  OpenedDatabase opened = open_database(config);
  directory_lock_ = std::move(opened.lock);
  database_ = std::move(opened.database);
  auto migrations = collections::system_migrations(database_->dialect(), clock);
  for (auto& migration : events::outbox_migrations(database_->dialect())) {
    migrations.push_back(std::move(migration));
  }
  for (auto& migration : auth::rate_limit_migrations(database_->dialect())) {
    migrations.push_back(std::move(migration));
  }
  for (const auto& name : run_blocking(db::apply_migrations(*database_, migrations))) {
    spdlog::info("applied migration {}", name);
  }
  // The durable job queue's table (docs/jobs.md), after the system tables.
  const auto job_migrations = jobs::job_migrations(database_->dialect());
  for (const auto& name : run_blocking(db::apply_migrations(*database_, job_migrations))) {
    spdlog::info("applied migration {}", name);
  }
  // Fresh planner statistics at every start: data imported while the server was down (or
  // grown since the last start) gets the plans its indexes allow. Bounded (see the dialect).
  run_blocking(database_->write([this](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const std::vector<std::string> statements = database_->dialect().statistics_statements();
    for (const auto& statement : statements) co_await tx.execute(statement);
  }));
  collections_ = std::make_unique<collections::CollectionService>(*database_, clock);
  run_blocking(collections_->reload());
  // Kept working, but sign-in refuses an identity that matches only case variants of it.
  for (const auto& name : run_blocking(
           collections::case_variant_email_collections(*database_, *collections_->catalog()))) {
    spdlog::warn(
        "collection {} holds emails that differ only in letter case: signing in with an email "
        "that matches none of them exactly fails; resolve the duplicates, then make the email "
        "index COLLATE NOCASE",
        name);
  }
  settings_ = std::make_unique<settings::SettingsService>(*database_, clock);
  run_blocking(settings_->load());
}

Storage::~Storage() {
  close();
}

void Storage::close() {
  // Services hold references; they go first so nothing can reach a closed database.
  settings_.reset();
  collections_.reset();
  database_.reset();
  directory_lock_.reset();  // after the database: no other process may take the directory first
}

}  // namespace basalt::app
