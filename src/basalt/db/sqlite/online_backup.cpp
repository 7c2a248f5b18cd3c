#include "basalt/db/sqlite/online_backup.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>

#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"

namespace basalt::db::sqlite {

struct SnapshotCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using SnapshotHandle = std::unique_ptr<sqlite3, SnapshotCloser>;

SnapshotHandle open_snapshot_handle(const std::string& path, int flags,
                                    std::chrono::milliseconds busy_timeout) {
  sqlite3* raw = nullptr;
  const int code = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  SnapshotHandle handle(raw);
  if (code != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(code);
    throw DatabaseError(fmt::format("snapshot: cannot open {}: {}", path, message), code);
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));
  return handle;
}

namespace {

void snapshot_exec(sqlite3* db, const char* sql, const std::string& what) {
  const int code = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) {
    throw DatabaseError(fmt::format("snapshot: {}: {}", what, sqlite3_errmsg(db)), code);
  }
}

void copy_pages(const std::string& source_path, const std::string& target_path,
                const SnapshotOptions& options) {
  SnapshotHandle source =
      open_snapshot_handle(source_path, SQLITE_OPEN_READONLY, options.busy_timeout);
  // The read transaction that fixes the snapshot: BEGIN is deferred, the first read opens it.
  snapshot_exec(source.get(), "BEGIN", "begin the read transaction");
  snapshot_exec(source.get(), "SELECT count(*) FROM sqlite_schema", "open the read transaction");
  SnapshotHandle target = open_snapshot_handle(
      target_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.busy_timeout);
  sqlite3_backup* backup = sqlite3_backup_init(target.get(), "main", source.get(), "main");
  if (backup == nullptr) {
    throw DatabaseError(fmt::format("snapshot: cannot start the copy into {}: {}", target_path,
                                    sqlite3_errmsg(target.get())),
                        sqlite3_errcode(target.get()));
  }
  int code = SQLITE_OK;
  bool cancelled = false;
  do {
    if (options.cancelled && options.cancelled()) {
      cancelled = true;
      break;
    }
    code = sqlite3_backup_step(backup, options.pages_per_step > 0 ? options.pages_per_step : -1);
    // BUSY/LOCKED: a lock SQLite needed was held past the busy timeout; the next step retries.
  } while (code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED);
  const int finish = sqlite3_backup_finish(backup);
  if (cancelled) throw DatabaseError("snapshot: cancelled");
  if (code != SQLITE_DONE || finish != SQLITE_OK) {
    throw DatabaseError(fmt::format("snapshot: copy into {} failed: {}", target_path,
                                    sqlite3_errstr(code != SQLITE_DONE ? code : finish)),
                        code != SQLITE_DONE ? code : finish);
  }
  snapshot_exec(source.get(), "COMMIT", "end the read transaction");
}

}  // namespace

void copy_snapshot(const std::string& source, const std::string& target,
                   const SnapshotOptions& options) {
  std::error_code error;
  if (std::filesystem::exists(target, error)) {
    throw DatabaseError(fmt::format("snapshot: {} already exists", target));
  }
  try {
    copy_pages(source, target, options);
  } catch (...) {
    // Half a copy is never left behind (the target's connection is closed by now).
    std::filesystem::remove(target, error);
    std::filesystem::remove(target + "-journal", error);
    throw;
  }
}

}  // namespace basalt::db::sqlite

namespace basalt::db {

std::optional<std::string> database_file_problem(const std::string& path) {
  using sqlite::SnapshotHandle;
  SnapshotHandle db;
  try {
    db = sqlite::open_snapshot_handle(path, SQLITE_OPEN_READWRITE, std::chrono::milliseconds(5000));
  } catch (const DatabaseError&) {
    return std::string("data.db cannot be opened");
  }
  auto first_text = [&](const char* sql, std::string& out) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db.get(), sql, -1, &statement, nullptr) != SQLITE_OK) return false;
    const int code = sqlite3_step(statement);
    if (code == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(statement, 0);
      out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(statement);
    return code == SQLITE_ROW || code == SQLITE_DONE;
  };
  std::string verdict;
  if (!first_text("PRAGMA integrity_check", verdict)) {
    return std::string("data.db is not a readable SQLite database");
  }
  if (verdict != "ok") return std::string("data.db failed the integrity check");
  std::string tables;
  if (!first_text("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = "
                  "'_collections'",
                  tables) ||
      tables != "1") {
    return std::string("data.db holds no collections: it is not a Basalt or PocketBase database");
  }
  return std::nullopt;
}

std::optional<std::string> database_file_param(const std::string& path, std::string_view id) {
  sqlite::SnapshotHandle db =
      sqlite::open_snapshot_handle(path, SQLITE_OPEN_READWRITE, std::chrono::milliseconds(5000));
  // A file of this SQLite engine, not the server's Database: the statement is SQLite's own.
  constexpr const char* kSql = "SELECT value FROM _params WHERE id = ?1";
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), kSql, -1, &raw, nullptr) != SQLITE_OK) {
    throw DatabaseError(
        fmt::format("cannot read _params of {}: {}", path, sqlite3_errmsg(db.get())));
  }
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> statement(raw, sqlite3_finalize);
  sqlite3_bind_text(raw, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
  const int code = sqlite3_step(raw);
  if (code == SQLITE_DONE) return std::nullopt;
  if (code != SQLITE_ROW) {
    throw DatabaseError(
        fmt::format("cannot read _params of {}: {}", path, sqlite3_errmsg(db.get())));
  }
  if (sqlite3_column_type(raw, 0) == SQLITE_NULL) return std::nullopt;
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(raw, 0));
  const int size = sqlite3_column_bytes(raw, 0);
  return std::string(bytes != nullptr ? bytes : "", static_cast<std::size_t>(size));
}

}  // namespace basalt::db
