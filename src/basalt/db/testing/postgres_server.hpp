// The PostgreSQL server of the tests (tests only): BASALT_TEST_POSTGRES_URL, set by
// scripts/test.sh after it started scripts/postgres-test-server.sh. A test that needs the
// server starts with BASALT_REQUIRE_POSTGRES(), which skips it, saying why, when the variable
// is unset (a test binary run by hand).
//
// PostgresSchema gives each test a schema of its own, created empty and dropped with
// everything in it at the end, and a URL whose sessions use it (search_path): tests running
// at the same time (ctest -j, the dialect's tests) never see each other's tables.
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace basalt::db::testing {

inline const char* postgres_test_url() {
  return std::getenv("BASALT_TEST_POSTGRES_URL");
}

#define BASALT_REQUIRE_POSTGRES()                                  \
  do {                                                             \
    if (::basalt::db::testing::postgres_test_url() == nullptr) {   \
      GTEST_SKIP() << "skipped: BASALT_TEST_POSTGRES_URL not set"; \
    }                                                              \
  } while (false)

// Runs `sql` on a short blocking connection to `url`; throws std::runtime_error on failure.
inline void postgres_exec(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    throw std::runtime_error("test PostgreSQL: " + message);
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);  // "... skipping" notices
  PGresult* result = PQexec(conn, sql.c_str());
  const ExecStatusType status = PQresultStatus(result);
  std::string message = PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    throw std::runtime_error("test PostgreSQL: " + message + " [in: " + sql + "]");
  }
}

class PostgresSchema {
 public:
  // Requires BASALT_TEST_POSTGRES_URL (check with BASALT_REQUIRE_POSTGRES() first).
  PostgresSchema() : base_(postgres_test_url()) {
    static std::atomic<unsigned> counter{0};
    name_ = "t_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    postgres_exec(base_, "DROP SCHEMA IF EXISTS " + name_ + " CASCADE; CREATE SCHEMA " + name_);
    url_ = base_ + (base_.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
           name_;
  }
  ~PostgresSchema() {
    try {
      postgres_exec(base_, "DROP SCHEMA IF EXISTS " + name_ + " CASCADE");
    } catch (...) {  // the server went away: nothing left to clean
    }
  }
  PostgresSchema(const PostgresSchema&) = delete;
  PostgresSchema& operator=(const PostgresSchema&) = delete;

  const std::string& url() const noexcept { return url_; }
  const std::string& name() const noexcept { return name_; }
  // Runs `sql` in this schema.
  void exec(const std::string& sql) const { postgres_exec(url_, sql); }

 private:
  std::string base_;
  std::string name_;
  std::string url_;
};

}  // namespace basalt::db::testing
