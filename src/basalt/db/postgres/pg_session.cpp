#include "basalt/db/postgres/pg_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "basalt/db/database_error.hpp"
#include "basalt/db/postgres/pg_error.hpp"

namespace basalt::db::postgres {

PgSession open_session(const ConnectionSettings& settings) {
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [keyword, value] : settings.keywords) {
    keys.push_back(keyword.c_str());
    values.push_back(value.c_str());
  }
  const std::string timeout = std::to_string(std::max<std::int64_t>(
      1, std::chrono::ceil<std::chrono::seconds>(settings.connect_timeout).count()));
  keys.push_back("connect_timeout");
  values.push_back(timeout.c_str());
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PgSession session(PQconnectdbParams(keys.data(), values.data(), 0));
  if (!session || PQstatus(session.get()) != CONNECTION_OK) {
    throw DatabaseError(
        "cannot connect to PostgreSQL: " +
        connection_message(session.get(), {}).substr(sizeof("PostgreSQL connection lost: ") - 1));
  }
  if (PQserverVersion(session.get()) < 140000) {
    throw DatabaseError(fmt::format("PostgreSQL {} is too old: Basalt needs 14 or later",
                                    PQparameterStatus(session.get(), "server_version")));
  }
  return session;
}

ResultSet exec(PGconn* session, std::string_view sql, std::span<const std::string> params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const std::string& param : params) values.push_back(param.c_str());
  const std::string text(sql);
  std::unique_ptr<PGresult, decltype(&PQclear)> result(
      PQexecParams(session, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                   nullptr, nullptr, 0),
      &PQclear);
  if (!result) throw DatabaseError(connection_message(session, sql));
  const ExecStatusType status = PQresultStatus(result.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw_result_error(result.get(), sql);
  }
  std::vector<std::string> columns;
  for (int c = 0; c < PQnfields(result.get()); ++c) columns.emplace_back(PQfname(result.get(), c));
  std::vector<Value> cells;
  for (int r = 0; r < PQntuples(result.get()); ++r) {
    for (int c = 0; c < PQnfields(result.get()); ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        cells.emplace_back(nullptr);
      } else {
        cells.emplace_back(std::string(PQgetvalue(result.get(), r, c)));
      }
    }
  }
  return ResultSet(std::move(columns), std::move(cells));
}

SessionLock::SessionLock(const ConnectionSettings& settings, std::int64_t key)
    : session_(open_session(settings)), key_(key) {
  // The session's statement timeout would end a long wait behind another instance's startup.
  exec(session_.get(), "SET statement_timeout TO 0");
  const std::string key_text = std::to_string(key_);
  const std::string params[] = {key_text};
  exec(session_.get(), "SELECT pg_advisory_lock($1::bigint)", params);
}

SessionLock::~SessionLock() {
  try {
    const std::string key_text = std::to_string(key_);
    const std::string params[] = {key_text};
    exec(session_.get(), "SELECT pg_advisory_unlock($1::bigint)", params);
  } catch (const std::exception& error) {
    // Closing the session below releases the lock all the same.
    spdlog::warn("database: releasing the startup lock: {}", error.what());
  }
}

}  // namespace basalt::db::postgres
