// PostgreSQL's errors as the storage layer's exceptions (database_error.hpp), the same kinds
// the SQLite driver throws for the same causes:
//   23505 unique, 23502 not null, 23503 foreign key, 23514 check (other class 23: kOther)
//       -> ConstraintError, naming "table.column" for the key columns the server reports
//          and the constraint (or unique index) name;
//   57014 query_canceled (statement_timeout: nothing else cancels our statements)
//       -> statement_timeout_error(), the 400;
//   53100 disk_full -> StorageFullError (the database answers 507);
//   everything else -> DatabaseError.
// DatabaseError::code() carries the SQLSTATE packed by pack_sqlstate().
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>

namespace basalt::db::postgres {

// The five characters of a SQLSTATE as one int (6 bits per character), 0 for anything else.
int pack_sqlstate(std::string_view sqlstate) noexcept;

namespace sqlstate {
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";
inline constexpr std::string_view kQueryCanceled = "57014";
}  // namespace sqlstate

// True for the errors after which re-running the whole transaction may succeed.
bool is_retryable(std::string_view sqlstate) noexcept;
// True for errors that end the session (class 08, 57P01..57P03 shutdown / terminated).
bool ends_session(std::string_view sqlstate) noexcept;

// The SQLSTATE of a failed result ("" when it has none: the connection broke).
std::string_view sqlstate_of(const PGresult* result) noexcept;

// Throws the exception for `result` (a PGRES_FATAL_ERROR), naming `sql` (shortened).
[[noreturn]] void throw_result_error(const PGresult* result, std::string_view sql);

// The message for a failure that has no result (the connection broke), naming `sql`.
std::string connection_message(const PGconn* connection, std::string_view sql);

}  // namespace basalt::db::postgres
