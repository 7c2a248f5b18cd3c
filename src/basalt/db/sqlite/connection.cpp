#include "basalt/db/sqlite/connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/sqlite_error.hpp"
#include "basalt/db/statement_span.hpp"
#include "basalt/metrics/thread_block.hpp"

namespace basalt::db::sqlite {
namespace {

// The progress handler runs every this many virtual machine instructions: frequent enough
// to stop a runaway statement within microseconds of its deadline, rare enough that the
// clock read it costs is lost in the noise.
constexpr int kProgressInterval = 1000;
// control() only ever sees a few fixed statements.
constexpr std::size_t kControlStatements = 8;

void check_length(std::string_view sql) {
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) {
    throw DatabaseError(fmt::format("SQL text of {} bytes is too long", sql.size()));
  }
}

Value read_column(sqlite3_stmt* statement, int column) {
  switch (sqlite3_column_type(statement, column)) {
    case SQLITE_INTEGER:
      return static_cast<std::int64_t>(sqlite3_column_int64(statement, column));
    case SQLITE_FLOAT:
      return sqlite3_column_double(statement, column);
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, column));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement, column));
      return text != nullptr ? std::string(text, size) : std::string();
    }
    case SQLITE_BLOB: {
      const auto* bytes = static_cast<const char*>(sqlite3_column_blob(statement, column));
      const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement, column));
      return Blob{bytes != nullptr ? std::string(bytes, size) : std::string()};
    }
    default:
      return nullptr;
  }
}

// SQLite's memory statistics (on by default) put every sqlite3_malloc and sqlite3_free behind
// a global mutex, for figures nothing here reads. Must come before SQLite initializes, that is
// before the process's first connection; later it is refused (SQLITE_MISUSE) and harmless.
void turn_off_memory_statistics() {
  static const int once = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)once;
}

// The statement's time into this thread's metrics block (metrics/thread_block.hpp): the
// writer's statements as writes, the read connections' as reads.
void record_statement_time(ConnectionRole role,
                           std::chrono::steady_clock::time_point started) noexcept {
  if (!metrics::enabled()) return;
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();
  const auto kind = role == ConnectionRole::kWriter ? metrics::StatementKind::kWrite
                                                    : metrics::StatementKind::kRead;
  metrics::local().statements[metrics::index(kind)].observe(static_cast<std::uint64_t>(elapsed),
                                                            metrics::kLatencyBoundsNs);
}

}  // namespace

// One run of a prepared statement: arms the time budget, steps, and on every way out resets
// the statement, clears its bindings and disarms the budget.
class Connection::Execution {
 public:
  // `budget` zero: no deadline.
  Execution(Connection& connection, sqlite3_stmt* statement, std::string_view sql,
            std::chrono::milliseconds budget)
      : connection_(connection), statement_(statement), sql_(sql), started_(Clock::now()) {
    start_statement_span(span_, sql, "sqlite",
                         connection.role_ == ConnectionRole::kWriter ? "write" : "read");
    connection_.timed_out_ = false;
    if (budget > std::chrono::milliseconds::zero()) connection_.deadline_ = started_ + budget;
  }
  ~Execution() {
    record_statement_time(connection_.role_, started_);
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
    connection_.deadline_ = Clock::time_point::max();
  }
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;

  // True while there is a row to read.
  bool step() {
    const int code = sqlite3_step(statement_);
    if (code == SQLITE_ROW) return true;
    if (code == SQLITE_DONE) return false;
    span_.set_error();
    if (code == SQLITE_INTERRUPT && connection_.timed_out_) throw statement_timeout_error();
    throw_error(connection_.db_.get(), code, sql_);
  }

 private:
  Connection& connection_;
  sqlite3_stmt* statement_;
  std::string_view sql_;
  Clock::time_point started_;
  core::SpanScope span_;  // inert unless the current span is sampled (statement_span.hpp)
};

Connection::Connection(const std::string& path, ConnectionRole role,
                       const ConnectionOptions& options)
    : role_(role),
      statement_timeout_(options.statement_timeout),
      statements_(options.statement_cache_capacity),
      control_statements_(kControlStatements) {
  // NOMUTEX: the connection is confined to one thread at a time (see the header), so
  // SQLite's per-connection mutex would only cost time.
  const int flags = SQLITE_OPEN_NOMUTEX |
                    (role == ConnectionRole::kWriter ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                                     : SQLITE_OPEN_READONLY);
  turn_off_memory_statistics();
  sqlite3* raw = nullptr;
  const int code = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  db_.reset(raw);
  if (code != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(code);
    throw DatabaseError(fmt::format("cannot open {}: {}", path, message), code);
  }
  sqlite3_extended_result_codes(raw, 1);  // tell UNIQUE from NOT NULL from FOREIGN KEY
  // DEFENSIVE: no SQL may corrupt the file on purpose (writable_schema, journal_mode=OFF).
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  // Waiting on another connection's lock is only needed briefly — WAL recovery after a
  // crash, a checkpoint finishing, the WAL index being rebuilt; there is no second writer
  // (LockFile). Waiting as long as a statement may run, rather than failing with
  // SQLITE_BUSY at once, turns those moments into a short delay instead of a 500.
  sqlite3_busy_timeout(raw, static_cast<int>(statement_timeout_.count()));

  if (role == ConnectionRole::kWriter) {
    // WAL: readers never block the writer and the writer never blocks readers; a reader sees
    // the last commit before its statement began and nothing uncommitted. Persistent in the
    // file, so the read-only connections opened later find it set.
    if (std::string mode = pragma("PRAGMA journal_mode=WAL"); mode != "wal") {
      throw DatabaseError(fmt::format("cannot switch {} to WAL mode (journal mode is {})", path,
                                      mode.empty() ? "unknown" : mode));
    }
    // NORMAL in WAL mode: a commit is not fsynced (the WAL is, at each checkpoint). The
    // database can never be corrupted; a power loss or OS crash (not a process crash) may
    // lose the last few commits. One fsync per group commit saved, as PocketBase does.
    pragma("PRAGMA synchronous=NORMAL");
    // Relations are enforced by SQLite itself (off by default, per connection).
    pragma("PRAGMA foreign_keys=ON");
    sqlite3_update_hook(raw, &Connection::on_update, this);
    // Replaces SQLite's auto-checkpoint (itself a WAL hook), which would copy the WAL into the
    // database file on this thread, inside a COMMIT, every 1,000 pages: the writer hands that
    // to the Checkpointer instead.
    sqlite3_wal_hook(raw, &Connection::on_wal_commit, this);
  }
  // Page cache per connection, in KiB when negative; a cap, not an upfront allocation.
  pragma(fmt::format("PRAGMA cache_size=-{}", options.cache_bytes / 1024));
  // Reads through mmap copy no pages into the cache; SQLite caps the size at its compile-time
  // SQLITE_MAX_MMAP_SIZE (about 2 GiB on Debian). 0 turns it off.
  pragma(fmt::format("PRAGMA mmap_size={}", options.mmap_bytes));
  // Sorts and temporary b-trees (ORDER BY without an index, DISTINCT, GROUP BY) stay in
  // memory instead of temporary files; the statement budget bounds how big they can grow.
  pragma("PRAGMA temp_store=MEMORY");

  sqlite3_progress_handler(raw, kProgressInterval, &Connection::on_progress, this);
  sqlite3_set_authorizer(raw, &Connection::authorize, this);
  // Installed after the pragmas above, so only the statements of callers are traced. The text
  // SQLite hands over is the statement as prepared: placeholders, never the values bound to
  // them (no secret reaches the log); a trigger's sub-program arrives as a "--" comment and is
  // not a statement of its own.
  if (options.trace_statements) {
    sqlite3_trace_v2(
        raw, SQLITE_TRACE_STMT,
        [](unsigned, void*, void*, void* text) -> int {
          const char* sql = static_cast<const char*>(text);
          if (sql != nullptr && !std::string_view(sql).starts_with("--")) {
            spdlog::info("sql: {}", sql);
          }
          return 0;
        },
        nullptr);
  }
}

Connection::~Connection() {
  control_statements_.clear();
  statements_.clear();
}

int Connection::on_progress(void* self) noexcept {
  auto* connection = static_cast<Connection*>(self);
  if (connection->deadline_ == Clock::time_point::max() || Clock::now() < connection->deadline_) {
    return 0;
  }
  connection->timed_out_ = true;
  return 1;  // SQLite stops the statement with SQLITE_INTERRUPT
}

void Connection::on_update(void* self, int /*operation*/, const char* /*database*/,
                           const char* table, sqlite3_int64 /*rowid*/) noexcept {
  auto* connection = static_cast<Connection*>(self);
  ++connection->hooked_rows_;
  if (table != nullptr) {
    for (const std::string& apart : connection->apart_tables_) {
      if (apart == table) ++connection->apart_rows_;
    }
  }
  try {
    std::string key = table_key(table != nullptr ? table : "");
    auto& written = connection->written_;
    if (std::find(written.begin(), written.end(), key) == written.end()) {
      written.push_back(std::move(key));
    }
  } catch (...) {  // out of memory: the table goes unnamed, so every version moves
    connection->written_unknown_ = true;
  }
}

int Connection::authorize(void* self, int action, const char* arg1, const char* arg2,
                          const char* /*database*/, const char* trigger) noexcept {
  auto* connection = static_cast<Connection*>(self);
  if (connection->in_control_) return SQLITE_OK;
  if (connection->reads_ != nullptr && action == SQLITE_READ) {
    ReadSet& reads = *connection->reads_;
    // `trigger` names the view (or trigger) responsible for the read.
    if (trigger != nullptr) reads.cacheable = false;
    try {
      if (arg1 != nullptr) reads.tables.push_back(table_key(arg1));
    } catch (...) {
      reads.cacheable = false;
    }
  }
  if (action == SQLITE_TRANSACTION) return SQLITE_DENY;
  if (action == SQLITE_SAVEPOINT) {
    if (connection->role_ == ConnectionRole::kReader) return SQLITE_DENY;
    const bool reserved =
        arg2 != nullptr && sqlite3_strnicmp(arg2, kReservedSavepointPrefix.data(),
                                            static_cast<int>(kReservedSavepointPrefix.size())) == 0;
    if (reserved) return SQLITE_DENY;
  }
  return SQLITE_OK;
}

sqlite3_stmt* Connection::prepare(std::string_view sql, StatementCache& cache) {
  if (sqlite3_stmt* cached = cache.find(sql)) return cached;
  check_length(sql);
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  int code = sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  StatementHandle statement(raw);
  if (code != SQLITE_OK) throw_error(db_.get(), code, sql);
  if (statement == nullptr) {
    throw DatabaseError(fmt::format("SQL text holds no statement: {}", sql));
  }
  // What follows the first statement may only be white space, semicolons or comments:
  // preparing it must yield no statement.
  const std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
  sqlite3_stmt* second = nullptr;
  code = sqlite3_prepare_v3(db_.get(), rest.data(), static_cast<int>(rest.size()), 0, &second,
                            nullptr);
  StatementHandle second_statement(second);
  if (code != SQLITE_OK || second_statement != nullptr) {
    throw DatabaseError(fmt::format("SQL text holds more than one statement: {}", sql));
  }
  return cache.insert(sql, std::move(statement));
}

void Connection::bind(sqlite3_stmt* statement, std::string_view sql, const Params& params) {
  const int expected = sqlite3_bind_parameter_count(statement);
  if (static_cast<std::size_t>(expected) != params.size()) {
    throw DatabaseError(fmt::format("statement takes {} parameters but {} were given: {}", expected,
                                    params.size(), sql));
  }
  for (int i = 0; i < expected; ++i) {
    const int index = i + 1;
    // SQLITE_STATIC: the values outlive the statement's run, and Execution clears the
    // bindings before the call returns.
    const int code = std::visit(
        [&](const auto& value) -> int {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            return sqlite3_bind_null(statement, index);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            return sqlite3_bind_int64(statement, index, value);
          } else if constexpr (std::is_same_v<T, double>) {
            return sqlite3_bind_double(statement, index, value);
          } else if constexpr (std::is_same_v<T, std::string>) {
            return sqlite3_bind_text64(statement, index, value.data(), value.size(), SQLITE_STATIC,
                                       SQLITE_UTF8);
          } else {
            return sqlite3_bind_blob64(statement, index, value.bytes.data(), value.bytes.size(),
                                       SQLITE_STATIC);
          }
        },
        params[static_cast<std::size_t>(i)]);
    if (code != SQLITE_OK) throw_error(db_.get(), code, sql);
  }
}

template <typename Run>
auto Connection::tracking_writes(Run run) {
  if (role_ != ConnectionRole::kWriter) return run();
  const sqlite3_int64 changes_before = sqlite3_total_changes64(db_.get());
  const std::int64_t hooked_before = hooked_rows_;
  struct Check {
    Connection& self;
    sqlite3_int64 changes_before;
    std::int64_t hooked_before;
    ~Check() {
      const sqlite3_int64 changed = sqlite3_total_changes64(self.db_.get()) - changes_before;
      if (changed > self.hooked_rows_ - hooked_before) self.written_unknown_ = true;
    }
  } check{*this, changes_before, hooked_before};
  return run();
}

ResultSet Connection::query(std::string_view sql, const Params& params,
                            std::chrono::milliseconds budget) {
  return tracking_writes([&] { return run_query(sql, params, budget); });
}

ExecResult Connection::execute(std::string_view sql, const Params& params) {
  return tracking_writes([&] { return run_execute(sql, params); });
}

ResultSet Connection::run_query(std::string_view sql, const Params& params,
                                std::chrono::milliseconds budget) {
  sqlite3_stmt* statement = prepare(sql, statements_);
  if (role_ == ConnectionRole::kReader && sqlite3_stmt_readonly(statement) == 0) {
    throw DatabaseError(fmt::format("a read may not write; use a write job: {}", sql));
  }
  Execution run(*this, statement, sql,
                budget > std::chrono::milliseconds::zero() ? budget : statement_timeout_);
  bind(statement, sql, params);
  const int count = sqlite3_column_count(statement);
  std::vector<std::string> columns;
  columns.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) columns.emplace_back(sqlite3_column_name(statement, i));
  std::vector<Value> cells;
  while (run.step()) {
    for (int i = 0; i < count; ++i) cells.push_back(read_column(statement, i));
  }
  return ResultSet(std::move(columns), std::move(cells));
}

ExecResult Connection::run_execute(std::string_view sql, const Params& params) {
  sqlite3_stmt* statement = prepare(sql, statements_);
  if (role_ == ConnectionRole::kReader && sqlite3_stmt_readonly(statement) == 0) {
    throw DatabaseError(fmt::format("a read may not write; use a write job: {}", sql));
  }
  Execution run(*this, statement, sql, statement_timeout_);
  bind(statement, sql, params);
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE, so a statement that
  // is none of those would report a stale number; the total tells them apart.
  const sqlite3_int64 total_before = sqlite3_total_changes64(db_.get());
  while (run.step()) {
  }
  ExecResult result;
  if (sqlite3_total_changes64(db_.get()) != total_before) {
    result.changes = sqlite3_changes64(db_.get());
    result.last_insert_rowid = sqlite3_last_insert_rowid(db_.get());
  }
  return result;
}

std::vector<ColumnOrigin> Connection::describe(std::string_view sql) {
  sqlite3_stmt* statement = prepare(sql, statements_);
  const int count = sqlite3_column_count(statement);
  std::vector<ColumnOrigin> out;
  out.reserve(static_cast<std::size_t>(count));
  // Debian's SQLite is built with SQLITE_ENABLE_COLUMN_METADATA, which these need.
  auto text = [](const char* value) { return value ? std::string(value) : std::string(); };
  for (int i = 0; i < count; ++i) {
    out.push_back({text(sqlite3_column_name(statement, i)),
                   text(sqlite3_column_table_name(statement, i)),
                   text(sqlite3_column_origin_name(statement, i))});
  }
  return out;
}

void Connection::control(std::string_view sql) {
  in_control_ = true;
  struct Reset {
    bool& flag;
    ~Reset() { flag = false; }
  } reset{in_control_};
  sqlite3_stmt* statement = prepare(sql, control_statements_);
  Execution run(*this, statement, sql, std::chrono::milliseconds::zero());
  while (run.step()) {
  }
}

WrittenTables Connection::take_written() {
  WrittenTables out;
  out.tables = std::move(written_);
  out.unknown = written_unknown_;
  written_.clear();
  written_unknown_ = false;
  std::sort(out.tables.begin(), out.tables.end());
  return out;
}

int Connection::on_wal_commit(void* self, sqlite3*, const char*, int pages) noexcept {
  static_cast<Connection*>(self)->wal_pages_ = pages;
  return SQLITE_OK;
}

int Connection::take_wal_pages() noexcept {
  return std::exchange(wal_pages_, 0);
}

bool Connection::checkpoint(int mode) {
  int log_frames = 0;
  int checkpointed = 0;
  const int code = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, mode, &log_frames, &checkpointed);
  if (code == SQLITE_BUSY) return false;
  if (code != SQLITE_OK) throw_error(db_.get(), code, "wal_checkpoint");
  return checkpointed == log_frames;
}

std::int64_t Connection::schema_version() {
  // Read after every commit of the writer (writer.cpp, publish_writes): the statement is kept
  // with the control statements, since preparing it anew was most of the cost of the call
  // (about 9k instructions of a create's 175k, measured with callgrind).
  constexpr std::string_view kSql = "PRAGMA schema_version";
  sqlite3_stmt* statement = prepare(kSql, control_statements_);
  struct ResetOnExit {
    sqlite3_stmt* statement;
    ~ResetOnExit() { sqlite3_reset(statement); }
  } reset{statement};
  const int code = sqlite3_step(statement);
  if (code != SQLITE_ROW) throw_error(db_.get(), code, kSql);
  return sqlite3_column_int64(statement, 0);
}

std::int64_t Connection::total_changes() const noexcept {
  return sqlite3_total_changes64(db_.get());
}

void Connection::count_apart(std::vector<std::string> tables) {
  apart_tables_ = std::move(tables);
}

ReadSet Connection::read_set(std::string_view sql) {
  check_length(sql);
  ReadSet reads;
  reads_ = &reads;
  struct Reset {
    ReadSet*& reads;
    ~Reset() { reads = nullptr; }
  } reset{reads_};
  sqlite3_stmt* raw = nullptr;
  const int code =
      sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), 0, &raw, nullptr);
  StatementHandle statement(raw);
  if (code != SQLITE_OK) throw_error(db_.get(), code, sql);
  std::sort(reads.tables.begin(), reads.tables.end());
  reads.tables.erase(std::unique(reads.tables.begin(), reads.tables.end()), reads.tables.end());
  return reads;
}

bool Connection::in_transaction() const noexcept {
  return sqlite3_get_autocommit(db_.get()) == 0;
}

bool Connection::has_unresolved_foreign_keys() const noexcept {
  int current = 0;
  int highest = 0;
  sqlite3_db_status(db_.get(), SQLITE_DBSTATUS_DEFERRED_FKS, &current, &highest, 0);
  return current != 0;
}

std::string Connection::pragma(const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  int code = sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr);
  StatementHandle statement(raw);
  if (code != SQLITE_OK) throw_error(db_.get(), code, sql);
  std::string first;
  code = sqlite3_step(raw);
  if (code == SQLITE_ROW) {
    if (const auto* text = sqlite3_column_text(raw, 0)) first = reinterpret_cast<const char*>(text);
    code = sqlite3_step(raw);
  }
  if (code != SQLITE_DONE && code != SQLITE_ROW) throw_error(db_.get(), code, sql);
  return first;
}

}  // namespace basalt::db::sqlite
