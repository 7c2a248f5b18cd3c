// open_database: the Database the `db` setting names (core/database_url.hpp) — SQLite in the
// data directory when it is empty, else the PostgreSQL server at its URL with PostgresDialect
// and the SQL functions its filter dialect calls (docs/postgres.md, "Running on PostgreSQL").
//
// Blocking: call it at startup or from a CLI command, never on a worker thread.
#pragma once

#include <memory>

#include "basalt/core/config.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/sqlite/lock_file.hpp"

namespace basalt::app {

struct OpenedDatabase {
  // On PostgreSQL, the data directory's lock, which SQLite's driver otherwise holds: one
  // process per data directory (files, server.key, the admin socket), so that a CLI command
  // finds the server that uses the directory and asks it through its admin socket.
  std::unique_ptr<db::sqlite::LockFile> lock;
  std::unique_ptr<db::Database> database;
};

// Throws db::DirectoryInUseError when another process holds the data directory,
// db::DatabaseError when the server cannot be reached (the message names no password).
OpenedDatabase open_database(const core::Config& config);

}  // namespace basalt::app
