// The errors the storage layer throws.
//
// - DatabaseError: anything the driver reports that is not the caller's input (I/O error,
//   malformed SQL, a misuse of the API). Internal: its text is logged, never shown to a
//   client; the HTTP layer turns it into a generic 500 like any unknown exception.
// - ConstraintError (a DatabaseError): the statement broke a UNIQUE, NOT NULL, FOREIGN KEY or
//   CHECK constraint. Services catch it to turn, say, a UNIQUE violation on users.email into
//   a field error; uncaught it is a 500 like any DatabaseError.
// - statement_timeout_error(): a statement ran past its time budget. This one is a
//   core::ApiError with status 400, because the usual cause is the request itself (a filter
//   or sort that cannot use an index over a big table); a 503 would invite the client to
//   retry the same expensive query. The message is fixed and safe to show.
// - StorageFullError (a DatabaseError): the disk (or the database's size limit) is full:
//   SQLITE_FULL, or an I/O error whose errno is ENOSPC. The database turns it into
//   storage_full_error(), a 507 a client can act on, instead of a 500; reads keep working.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/api_error.hpp"

namespace basalt::db {

class DatabaseError : public std::runtime_error {
 public:
  // `code` is the driver's own error code (SQLite's extended result code, or a PostgreSQL
  // SQLSTATE packed by its driver); 0 when the error did not come from the driver.
  explicit DatabaseError(const std::string& message, int code = 0)
      : std::runtime_error(message), code_(code) {}

  int code() const noexcept { return code_; }

 private:
  int code_;
};

// The data directory is locked by another process (a running server): a CLI command can then
// go through that server instead (app/admin_socket.hpp).
class DirectoryInUseError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

class StorageFullError : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

enum class ConstraintKind { kUnique, kNotNull, kForeignKey, kCheck, kOther };

class ConstraintError : public DatabaseError {
 public:
  // `columns`: the "table.column" names the driver blamed (a UNIQUE over two columns names
  // both; FOREIGN KEY names none). `constraint`: the constraint's or index's name when the
  // driver names that instead of columns (CHECK constraints, unique expression indexes).
  ConstraintError(const std::string& message, int code, ConstraintKind kind,
                  std::vector<std::string> columns, std::string constraint)
      : DatabaseError(message, code),
        kind_(kind),
        columns_(std::move(columns)),
        constraint_(std::move(constraint)) {}

  ConstraintKind kind() const noexcept { return kind_; }
  const std::vector<std::string>& columns() const noexcept { return columns_; }
  const std::string& constraint() const noexcept { return constraint_; }

 private:
  ConstraintKind kind_;
  std::vector<std::string> columns_;
  std::string constraint_;
};

inline constexpr int kStatementTimeoutStatus = 400;
inline constexpr std::string_view kStatementTimeoutMessage = "The query took too long to run.";

// The error for a statement stopped by its time budget (see above for why 400).
core::ApiError statement_timeout_error();

inline constexpr int kStorageFullStatus = 507;  // Insufficient Storage
inline constexpr std::string_view kStorageFullMessage =
    "The server is out of storage space; the change was not saved.";

// What a client sees for a StorageFullError. Logs `error` at most once a minute (with how
// many were not logged in between), so a full disk does not also flood the log.
core::ApiError storage_full_error(const StorageFullError& error);

}  // namespace basalt::db
