// LibpqSession (tests only): a synchronous libpq connection to the PostgreSQL server named by
// BASALT_TEST_POSTGRES_URL, working in a schema of its own (created on connect, dropped with
// everything in it on destruction), so tests never see each other's tables. Blocking calls:
// test code only, never an I/O thread.
//
// BASALT_LIBPQ_SESSION_OR_SKIP(name) declares `name` or skips the test with the reason when the
// variable is unset (scripts/test.sh starts a server and sets it).
#pragma once

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace basalt::db::testing {

// A text cell of a result; nullopt is SQL NULL.
using PgCell = std::optional<std::string>;
using PgRows = std::vector<std::vector<PgCell>>;

class LibpqSession {
 public:
  static const char* url() noexcept { return std::getenv("BASALT_TEST_POSTGRES_URL"); }

  explicit LibpqSession(const char* conninfo) : conn_(PQconnectdb(conninfo)) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      std::string message = PQerrorMessage(conn_);
      PQfinish(conn_);
      throw std::runtime_error("cannot connect to PostgreSQL: " + message);
    }
    static std::atomic<unsigned> counter{0};
    schema_ = "basalt_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    exec("SET client_min_messages TO warning");
    // As the driver's sessions (pg_connection.cpp): JIT compiling would cost more than the
    // tests' statements themselves.
    exec("SET jit TO off");
    exec("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
    exec("CREATE SCHEMA \"" + schema_ + "\"");
    exec("SET search_path TO \"" + schema_ + "\"");
  }
  ~LibpqSession() {
    PQclear(PQexec(conn_, ("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE").c_str()));
    PQfinish(conn_);
  }
  LibpqSession(const LibpqSession&) = delete;
  LibpqSession& operator=(const LibpqSession&) = delete;

  const std::string& schema() const noexcept { return schema_; }

  // Runs `sql` with untyped text parameters (the server infers each type from its context, as
  // the driver binds them); throws std::runtime_error with the server's message on failure.
  PgRows query(const std::string& sql, const std::vector<PgCell>& params = {}) {
    std::string error;
    PgRows rows = try_query(sql, params, error);
    if (!error.empty()) throw std::runtime_error(error + " in: " + sql);
    return rows;
  }
  void exec(const std::string& sql) { query(sql); }
  // As query(), but the server's error message goes to `error` (empty on success).
  PgRows try_query(const std::string& sql, const std::vector<PgCell>& params, std::string& error) {
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const PgCell& param : params) values.push_back(param ? param->c_str() : nullptr);
    PGresult* result = PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                    values.data(), nullptr, nullptr, 0);
    PgRows rows;
    const ExecStatusType status = PQresultStatus(result);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
      error = PQresultErrorMessage(result);
      if (error.empty()) error = "PostgreSQL error";
      PQclear(result);
      return rows;
    }
    error.clear();
    for (int r = 0; r < PQntuples(result); ++r) {
      std::vector<PgCell>& row = rows.emplace_back();
      for (int c = 0; c < PQnfields(result); ++c) {
        if (PQgetisnull(result, r, c)) {
          row.emplace_back();
        } else {
          row.emplace_back(std::string(PQgetvalue(result, r, c),
                                       static_cast<std::size_t>(PQgetlength(result, r, c))));
        }
      }
    }
    PQclear(result);
    return rows;
  }
  // The single cell of a one-row, one-column result.
  PgCell scalar(const std::string& sql, const std::vector<PgCell>& params = {}) {
    PgRows rows = query(sql, params);
    if (rows.size() != 1 || rows[0].size() != 1) {
      throw std::runtime_error("expected one value from: " + sql);
    }
    return rows[0][0];
  }

 private:
  PGconn* conn_;
  std::string schema_;
};

}  // namespace basalt::db::testing

#define BASALT_LIBPQ_SESSION_OR_SKIP(name)                       \
  if (::basalt::db::testing::LibpqSession::url() == nullptr) {   \
    GTEST_SKIP() << "skipped: BASALT_TEST_POSTGRES_URL not set"; \
  }                                                              \
  ::basalt::db::testing::LibpqSession name(::basalt::db::testing::LibpqSession::url())
