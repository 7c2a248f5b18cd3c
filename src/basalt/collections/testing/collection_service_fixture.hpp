// CollectionServiceFixture (tests only): a real SQLite database in a temporary directory with
// the system migrations applied, and a CollectionService over it with its catalog loaded — the
// starting point of the collection service's tests. Time is a ManualClock standing at kStart.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/migrations.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"

namespace basalt::collections::testing {

class CollectionServiceFixture : public ::testing::Test {
 protected:
  // 2024-05-06 07:08:09.123Z, as PocketBase's datetime text: kStartText.
  static constexpr std::chrono::system_clock::time_point kStart{
      std::chrono::sys_days{std::chrono::year{2024} / 5 / 6} + std::chrono::hours(7) +
      std::chrono::minutes(8) + std::chrono::seconds(9) + std::chrono::milliseconds(123)};
  static constexpr std::string_view kStartText = "2024-05-06 07:08:09.123Z";

  CollectionServiceFixture() {
    db::SqliteOptions options;
    options.data_dir = dir_.path();
    options.statement_timeout = std::chrono::seconds(5);
    database_ = db::open_sqlite(options);
    migrations_ = system_migrations(database_->dialect(), clock_);
    db::testing::sync_wait(db::apply_migrations(*database_, migrations_));
    service_ = std::make_unique<CollectionService>(*database_, clock_);
    db::testing::sync_wait(service_->reload());
  }

  core::ManualClock clock_{kStart};  // outlives the services below
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::vector<db::Migration> migrations_;
  std::unique_ptr<CollectionService> service_;
};

}  // namespace basalt::collections::testing
