// Turning SQLite result codes into the storage layer's exceptions (database_error.hpp).
// Stateless; thread-safe as long as `db` is used by the calling thread only.
#pragma once

#include <sqlite3.h>

#include <string>
#include <string_view>

#include "basalt/db/database_error.hpp"

namespace basalt::db::sqlite {

// Throws ConstraintError for a constraint code, DatabaseError otherwise. The text names the
// code, SQLite's message for `db` (which must be the connection that failed, or null) and,
// when not empty, the start of `sql`: it is for the log, so it holds no bound values.
[[noreturn]] void throw_error(sqlite3* db, int code, std::string_view sql);

// Reads a constraint failure from SQLite's message:
//   "UNIQUE constraint failed: users.email, users.tenant" -> kUnique, both columns
//   "UNIQUE constraint failed: index 'idx_lower_email'"   -> kUnique, constraint idx_lower_email
//   "NOT NULL constraint failed: users.name"              -> kNotNull, users.name
//   "CHECK constraint failed: positive_price"             -> kCheck, constraint positive_price
//   "FOREIGN KEY constraint failed"                       -> kForeignKey, nothing named
// The kind comes from the extended code (PRIMARYKEY counts as kUnique); `text` becomes what().
ConstraintError constraint_error(int extended_code, std::string_view message, std::string text);

}  // namespace basalt::db::sqlite
