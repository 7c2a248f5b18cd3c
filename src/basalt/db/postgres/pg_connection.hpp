// PgConnection: one libpq connection driven by the io_context of the worker that opened it.
//
// Invariants:
//  1. Never blocks: the connection is non-blocking (PQsetnonblocking) and in pipeline mode;
//     its socket is an asio posix::stream_descriptor of the opening coroutine's executor, and
//     every wait for the server (connecting, sending, reading) is an async_wait on it, raced
//     against a deadline timer. No thread of its own.
//  2. Used by one coroutine at a time, on its executor's thread (the pool hands it out and
//     takes it back: pg_pool.hpp). The descriptor never owns the socket: libpq does; it is
//     released, not closed, before PQfinish.
//  3. One call = one pipeline ending with one Sync: the statement and what it needs (a new
//     statement timeout, BEGIN, a savepoint around it, its Parse when not prepared yet) go in
//     one round trip, and every result up to the Sync is read before the call returns or
//     throws, so the next call starts on a clean pipeline.
//  4. Statements are named prepared statements, one per SQL text, kept in an LRU
//     (StatementNames); an evicted one is deallocated at the next call made outside a
//     transaction. Parse refuses text holding two statements.
//  5. Any failure that leaves the session's state unknown (an I/O error, no answer by the
//     deadline, the server ending the session) marks the connection broken: its owner
//     discards it. An SQL error does not: the call throws (pg_error.hpp) and the connection
//     stays usable.
#pragma once

#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/db/postgres/statement_names.hpp"
#include "basalt/db/result_set.hpp"
#include "basalt/db/transaction.hpp"
#include "basalt/db/value.hpp"

namespace basalt::db::postgres {

// How every connection of one database is opened; immutable once made, shared.
struct ConnectionSettings {
  // libpq's connection keywords and values, from the URL, with Basalt's `options` added
  // (statement_timeout, read-only default transactions) and application_name.
  std::vector<std::pair<std::string, std::string>> keywords;
  std::chrono::milliseconds statement_timeout{5000};  // the session's default budget
  std::chrono::milliseconds connect_timeout{5000};
  // How much longer than a statement's budget the client waits for the server's answer
  // before it gives the connection up (the server stops the statement at its budget).
  std::chrono::milliseconds answer_grace{5000};
  std::size_t statement_cache_capacity = 128;
};

// Parses `url` (a postgres:// URL or a key=value conninfo string) and adds Basalt's session
// options. Throws DatabaseError for text libpq does not take (the message names no password).
ConnectionSettings connection_settings(const std::string& url,
                                       std::chrono::milliseconds statement_timeout);

// What one statement call sends around the statement (invariant 3).
struct StatementRun {
  std::chrono::milliseconds budget{0};  // 0: the session's default statement_timeout
  std::string_view begin;               // non-empty: sent first (a transaction's BEGIN)
  bool savepoint = false;  // inside SAVEPOINT/RELEASE _basalt_statement (PgTransaction)
};

// A result column as PQdescribePrepared reports it: the table OID and column number it is
// read from (0 when computed).
struct FieldOrigin {
  std::string name;
  unsigned table = 0;
  int column = 0;
};

class PgConnection {
 public:
  // Opens a connection on the calling coroutine's executor. Throws DatabaseError when the
  // server cannot be reached or refuses it within settings.connect_timeout.
  static boost::asio::awaitable<std::unique_ptr<PgConnection>> open(
      std::shared_ptr<const ConnectionSettings> settings);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // Runs one statement and returns its rows; fills `exec` (when given) with the rows it
  // changed. Throws as pg_error.hpp says; DatabaseError when the connection broke.
  boost::asio::awaitable<ResultSet> run(std::string_view sql, const Params& params,
                                        StatementRun how, ExecResult* exec = nullptr);
  // Prepares `sql` (or finds it prepared) and describes its result columns.
  boost::asio::awaitable<std::vector<FieldOrigin>> describe(std::string_view sql);
  // Fixed statements without parameters and their results (one per text, rows included),
  // in one pipeline. Throws for the first that failed, after reading them all.
  boost::asio::awaitable<std::vector<ResultSet>> run_texts(std::vector<std::string> texts);

  // Health, without waiting: reads what the server sent meanwhile (a session it ended says
  // so) and reports whether the connection can take a call.
  bool usable() noexcept;
  bool broken() const noexcept { return broken_; }
  // True while a call is in flight: a connection given back so (its coroutine was destroyed
  // mid-call) has results still due and is never reused.
  bool busy() const noexcept { return busy_; }
  // The last failure was the client's own deadline (the server did not answer in time).
  bool timed_out() const noexcept { return timed_out_; }
  // True inside a transaction block (also an aborted one).
  bool in_transaction() const noexcept;
  // True inside a transaction block that an error aborted (only a rollback is accepted).
  bool in_failed_transaction() const noexcept {
    return PQtransactionStatus(conn_.get()) == PQTRANS_INERROR;
  }
  // The server process serving this session (pg_backend_pid()).
  int backend_pid() const noexcept;
  std::size_t prepared_statements() const noexcept { return names_.size(); }
  // Drops every prepared statement of the session at the next call outside a transaction
  // (the schema changed: a statement over a changed table may no longer match it).
  void forget_statements() noexcept { deallocate_all_ = true; }
  // Follows the database's schema epoch (moved by every committed schema change made through
  // it): a connection that has not seen the current one forgets its statements.
  void follow_schema(std::uint64_t epoch) noexcept {
    if (epoch != schema_epoch_) forget_statements();
    schema_epoch_ = epoch;
  }

 private:
  struct ResultDeleter {
    void operator()(PGresult* result) const noexcept { PQclear(result); }
  };
  using Result = std::unique_ptr<PGresult, ResultDeleter>;
  struct Step;
  using Clock = std::chrono::steady_clock;

  static void on_notice(void* self, const PGresult* notice) noexcept;

  PgConnection(PGconn* raw, std::shared_ptr<const ConnectionSettings> settings,
               boost::asio::any_io_executor executor);

  // Sends `steps` and a Sync, reads every result up to it (invariant 3): the last result of
  // each step. Throws DatabaseError (and marks the connection broken) on any failure that
  // is not an SQL error.
  boost::asio::awaitable<std::vector<Result>> exchange(const std::vector<Step>& steps,
                                                       std::string_view sql,
                                                       Clock::time_point deadline);
  boost::asio::awaitable<ResultSet> run_once(std::string_view sql, const Params& params,
                                             const StatementRun& how, ExecResult* exec,
                                             bool& stale_plan);
  // Steps that keep the session tidy, sent first when outside a transaction (invariant 4).
  void housekeeping(std::vector<Step>& steps);
  // Waits until the socket is ready for `type` or `deadline` passes (then throws).
  boost::asio::awaitable<void> wait(boost::asio::posix::descriptor_base::wait_type type,
                                    Clock::time_point deadline, std::string_view sql);
  [[noreturn]] void fail(std::string message);
  Clock::time_point deadline_after(std::chrono::milliseconds budget) const;

  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
  std::shared_ptr<const ConnectionSettings> settings_;
  boost::asio::posix::stream_descriptor socket_;
  boost::asio::steady_timer timer_;
  StatementNames names_;
  std::vector<std::string> to_deallocate_;  // evicted names, deallocated outside transactions
  bool deallocate_all_ = false;
  std::uint64_t schema_epoch_ = 0;
  std::int64_t timeout_ms_ = -1;  // the session's statement_timeout as last set; -1 unknown
  bool broken_ = false;
  bool busy_ = false;
  bool timed_out_ = false;
};

}  // namespace basalt::db::postgres
