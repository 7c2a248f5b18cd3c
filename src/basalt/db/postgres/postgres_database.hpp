// The PostgreSQL backend: open_postgres() builds a Database over a PostgreSQL server
// (docs/postgres.md).
//
// What it holds, for the Database's lifetime:
// - A pool of connections per worker io_context (pg_pool.hpp), opened lazily; reads and write
//   jobs run on the calling coroutine's thread, over those connections, never blocking it
//   (pg_connection.hpp). There is no writer thread: each write job is a transaction of its
//   own on a pooled connection.
// - The relation catalog (relation_catalog.hpp) for read_set() and describe().
//
// How the Database contract (database.hpp, transaction.hpp) is met:
// - query(): one statement in the session's read-only implicit transaction (READ COMMITTED),
//   under ReadOptions::budget or db-statement-timeout; ReadOptions::pooled changes nothing (no
//   read runs on a thread of its own). A statement that writes fails (DatabaseError).
// - write(job): BEGIN ISOLATION LEVEL SERIALIZABLE (sent with the job's first statement), the
//   job, COMMIT. SERIALIZABLE keeps what the single SQLite writer gives the services: a job
//   behaves as if it ran alone. A serialization failure or deadlock (40001, 40P01), in a
//   statement or at COMMIT, rolls the transaction back and runs the job again, at most
//   `max_write_attempts` times in all (then 503).
// - Each statement of a job runs inside SAVEPOINT _basalt_statement (sent in the same round
//   trip), so an error ends only that statement, as on SQLite; the job's own savepoints run
//   bare. Transaction control and session settings (BEGIN, COMMIT, ROLLBACK, SET, ...) and
//   savepoints named "_basalt..." are refused.
// - Data versions: the tables a transaction wrote are read from pg_stat_xact_user_tables
//   before its COMMIT (rows changed through triggers and cascades included) and moved after
//   it, before the job's caller resumes; a statement that is not a read, a write or a
//   savepoint (DDL) moves every table.
// - read_set(): lexical (sql_text.hpp): the relations the text names, from the relation
//   catalog; a view makes it not cacheable. It does not contact the server.
// - describe(): PQdescribePrepared, the table OIDs named through pg_class/pg_attribute
//   (cached) and traced through views. Database::describe() is synchronous: it blocks the
//   calling thread for its round trips on a side connection (see docs/postgres.md).
// - copy_snapshot(): throws DatabaseError (use pg_dump).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "basalt/core/config.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/postgres/pool_limits.hpp"

namespace basalt::db {

struct PostgresOptions {
  std::string url;                                // postgres://... or a conninfo string
  std::chrono::milliseconds statement_timeout{};  // > 0; setting db-statement-timeout
  std::chrono::milliseconds connect_timeout{5000};
  postgres::PoolLimits pool;                   // per worker
  std::size_t statement_cache_capacity = 128;  // prepared statements kept per connection
  int max_write_attempts = 10;                 // runs of a job that meets 40001/40P01
};

// The options the settings give (db-statement-timeout, db-pool-size, db-read-queue) for the
// server at `url`.
PostgresOptions postgres_options(const core::Config& config, std::string url);

// Connects once (blocking: call it at startup, not on an I/O thread) to check the server and
// load the relation catalog, and returns the Database. `dialect` is what dialect() returns.
// Throws DatabaseError when the server cannot be reached (the message names no password),
// std::invalid_argument for a non-positive statement_timeout or an empty pool.
std::unique_ptr<Database> open_postgres(const PostgresOptions& options,
                                        std::shared_ptr<const Dialect> dialect);

}  // namespace basalt::db
