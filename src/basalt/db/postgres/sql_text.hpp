// What the PostgreSQL driver needs to know from a statement's text before running it, read
// lexically (string literals, quoted identifiers, dollar quotes and comments skipped).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace basalt::db::postgres {

enum class StatementKind {
  kRead,       // SELECT, VALUES, TABLE, WITH, SHOW, EXPLAIN
  kWrite,      // INSERT, UPDATE, DELETE, MERGE, and ANALYZE (planner statistics only)
  kSavepoint,  // SAVEPOINT, RELEASE, ROLLBACK TO: a job's own savepoints
  kControl,    // BEGIN, START, COMMIT, END, ABORT, ROLLBACK, PREPARE TRANSACTION, and the
               // session state a pooled connection must keep: SET, RESET, DISCARD, LISTEN...
  kSchema,     // anything else: DDL (CREATE, ALTER, DROP, TRUNCATE, ...), DO blocks, ...
};

// The kind of the (first) statement in `sql`.
StatementKind statement_kind(std::string_view sql);

// For kSavepoint: the savepoint's name (as the server folds it: unquoted names lowercased),
// or "" when the text names none.
std::string savepoint_name(std::string_view sql);

// Every identifier of `sql` outside literals and comments: quoted ones as written, unquoted
// ones lowercased (PostgreSQL's folding), keywords included. Duplicates are kept.
std::vector<std::string> identifiers(std::string_view sql);

}  // namespace basalt::db::postgres
