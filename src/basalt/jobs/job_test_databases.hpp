// Tests only: a database with `_jobs` on either backend, for tests parameterised over both.
// "sqlite": a real SQLite file in a temporary directory; "postgres": a schema of its own on
// the server of BASALT_TEST_POSTGRES_URL (the test is skipped without it). Two databases of
// the same JobTestBackend stand for two instances sharing one database.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "basalt/db/migrations.hpp"
#include "basalt/db/postgres/postgres_database.hpp"
#include "basalt/db/postgres/postgres_dialect.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/db/testing/postgres_server.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/jobs/job_store.hpp"

namespace basalt::jobs::testing {

class JobTestBackend {
 public:
  explicit JobTestBackend(const std::string& kind) : kind_(kind) {
    if (kind_ == "postgres") schema_ = std::make_unique<db::testing::PostgresSchema>();
  }

  // A new Database on the backend; the first one creates `_jobs`. SQLite allows only one
  // Database per file (its lock), so "another instance" there is the same one.
  std::shared_ptr<db::Database> open() {
    std::shared_ptr<db::Database> database;
    if (kind_ == "postgres") {
      db::PostgresOptions options;
      options.url = schema_->url();
      options.statement_timeout = std::chrono::seconds(10);
      database = db::open_postgres(options, std::make_shared<db::PostgresDialect>());
    } else {
      if (sqlite_) return sqlite_;
      db::SqliteOptions options;
      options.data_dir = dir_.str();
      options.statement_timeout = std::chrono::seconds(10);
      database = db::open_sqlite(options);
      sqlite_ = database;
    }
    if (!migrated_) {
      const auto migrations = job_migrations(database->dialect());
      db::testing::sync_wait(db::apply_migrations(*database, migrations));
      migrated_ = true;
    }
    return database;
  }

 private:
  std::string kind_;
  db::testing::TempDir dir_;
  std::unique_ptr<db::testing::PostgresSchema> schema_;
  std::shared_ptr<db::Database> sqlite_;
  bool migrated_ = false;
};

inline std::string backend_name(const ::testing::TestParamInfo<std::string>& info) {
  return info.param;
}

#define BASALT_JOB_BACKEND_OR_SKIP()                         \
  do {                                                       \
    if (GetParam() == "postgres") BASALT_REQUIRE_POSTGRES(); \
  } while (false)

}  // namespace basalt::jobs::testing
