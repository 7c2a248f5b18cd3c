// PgSession: a plain libpq session outside the pools, for the parts that need a session of
// their own for its whole life: the relation names read at startup and after another
// instance's schema change, the startup lock (SessionLock), and the cluster bus's LISTEN
// connection (cluster/pg_notify_bus.hpp).
//
// Opening and exec() block the calling thread (bounded by the settings' connect timeout and
// statement timeout): call them at startup or on a thread of their own, never on a worker.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "basalt/db/postgres/pg_connection.hpp"
#include "basalt/db/result_set.hpp"

namespace basalt::db::postgres {

struct PgConnCloser {
  void operator()(PGconn* connection) const noexcept { PQfinish(connection); }
};
using PgSession = std::unique_ptr<PGconn, PgConnCloser>;

// Connects with `settings` (blocking, at most its connect timeout) and checks the server's
// version. Throws DatabaseError; the message names no password.
PgSession open_session(const ConnectionSettings& settings);

// Runs one statement with text parameters (blocking) and returns its rows as text (NULL as
// null). Throws as pg_error.hpp says.
ResultSet exec(PGconn* session, std::string_view sql, std::span<const std::string> params = {});

// A session-level advisory lock (pg_advisory_lock) on a session of its own, held from the
// constructor (which waits for it, as long as it takes) until the destructor: instances
// starting together on one database run their startup one at a time (docs/scaling.md).
class SessionLock {
 public:
  SessionLock(const ConnectionSettings& settings, std::int64_t key);
  ~SessionLock();
  SessionLock(const SessionLock&) = delete;
  SessionLock& operator=(const SessionLock&) = delete;

 private:
  PgSession session_;
  std::int64_t key_;
};

}  // namespace basalt::db::postgres
