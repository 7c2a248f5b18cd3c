#include "basalt/db/postgres/pg_connection.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <variant>

#include "basalt/db/database_error.hpp"
#include "basalt/db/postgres/pg_error.hpp"
#include "basalt/db/postgres/pg_values.hpp"

namespace basalt::db::postgres {
namespace {

namespace asio = boost::asio;
using asio::posix::descriptor_base;

constexpr std::string_view kSavepoint = "SAVEPOINT _basalt_statement";
constexpr std::string_view kRelease = "RELEASE SAVEPOINT _basalt_statement";

ResultSet result_set(const PGresult* result) {
  const int fields = PQnfields(result);
  const int rows = PQntuples(result);
  std::vector<std::string> columns;
  columns.reserve(static_cast<std::size_t>(fields));
  std::vector<unsigned> types;
  types.reserve(static_cast<std::size_t>(fields));
  for (int f = 0; f < fields; ++f) {
    columns.emplace_back(PQfname(result, f));
    types.push_back(PQftype(result, f));
  }
  std::vector<Value> cells;
  cells.reserve(static_cast<std::size_t>(fields) * static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    for (int f = 0; f < fields; ++f) {
      const char* text = PQgetisnull(result, r, f) ? nullptr : PQgetvalue(result, r, f);
      cells.push_back(value_from_text(types[static_cast<std::size_t>(f)], text,
                                      static_cast<std::size_t>(PQgetlength(result, r, f))));
    }
  }
  return ResultSet(std::move(columns), std::move(cells));
}

std::int64_t changed_rows(const PGresult* result) {
  const std::string_view text = PQcmdTuples(const_cast<PGresult*>(result));
  std::int64_t rows = 0;
  std::from_chars(text.data(), text.data() + text.size(), rows);
  return rows;
}

bool failed(const PGresult* result) {
  return result != nullptr && PQresultStatus(result) == PGRES_FATAL_ERROR;
}

// The addresses of the one host name `settings` names, resolved without blocking, as libpq's
// `host` and `hostaddr` lists (the name once per address: libpq tries them in order, as it
// would after its own lookup). Empty when there is nothing to resolve (an IP address, a Unix
// socket directory, several hosts, or a hostaddr given): libpq then does no lookup either.
struct ResolvedHost {
  std::string hosts;
  std::string addresses;
};

asio::awaitable<ResolvedHost> resolve_host(const ConnectionSettings& settings) {
  std::string host;
  std::string port = "5432";
  for (const auto& [keyword, value] : settings.keywords) {
    if (keyword == "hostaddr") co_return ResolvedHost{};
    if (keyword == "host") host = value;
    if (keyword == "port") port = value;
  }
  if (host.empty() || host.front() == '/' || host.front() == '@' ||
      host.find(',') != std::string::npos || port.find(',') != std::string::npos) {
    co_return ResolvedHost{};
  }
  boost::system::error_code numeric;
  asio::ip::make_address(host, numeric);
  if (!numeric) co_return ResolvedHost{};
  asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
  boost::system::error_code failed_lookup;
  auto token = asio::redirect_error(asio::use_awaitable, failed_lookup);
  const auto results = co_await resolver.async_resolve(host, port, token);
  if (failed_lookup || results.empty()) {
    throw DatabaseError(fmt::format("cannot resolve the PostgreSQL host {}: {}", host,
                                    failed_lookup ? failed_lookup.message() : "no address"));
  }
  ResolvedHost resolved;
  for (const auto& entry : results) {
    const std::string address = entry.endpoint().address().to_string();
    if (resolved.addresses.find(address) != std::string::npos) continue;
    if (!resolved.hosts.empty()) {
      resolved.hosts += ',';
      resolved.addresses += ',';
    }
    resolved.hosts += host;
    resolved.addresses += address;
  }
  co_return resolved;
}

}  // namespace

// One command of a pipeline.
struct PgConnection::Step {
  enum class Kind { kText, kPrepare, kExecute, kDescribe };
  Kind kind;
  std::string text;                     // kText: the statement; kPrepare: the SQL; others: unused
  std::string name;                     // kPrepare, kExecute, kDescribe: the statement's name
  const BoundParams* params = nullptr;  // kExecute
};

ConnectionSettings connection_settings(const std::string& url,
                                       std::chrono::milliseconds statement_timeout) {
  char* error = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &error);
  if (parsed == nullptr) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && message.back() == '\n') message.pop_back();
    throw DatabaseError("invalid PostgreSQL URL: " + message);
  }
  ConnectionSettings settings;
  settings.statement_timeout = statement_timeout;
  // JIT off unless the URL's own `options` turn it on (they come after, and the last -c of a
  // setting wins). Basalt's statements are short, but the planner's cost estimates for filters
  // through the basalt_* functions, over tables without statistics yet, easily pass
  // jit_above_cost: compiling then took 0.3-5 s per statement that runs in under 1 ms
  // (docs/postgres.md, "Speed").
  std::string options = "-c jit=off";
  for (PQconninfoOption* option = parsed; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string_view keyword = option->keyword;
    if (keyword == "options") {
      options += ' ';
      options += option->val;
    } else {
      settings.keywords.emplace_back(keyword, option->val);
    }
  }
  PQconninfoFree(parsed);
  // Every session starts with the budget of writes and read-only default transactions: a
  // read (an implicit transaction) cannot write; write jobs say BEGIN ... READ WRITE.
  options += fmt::format(" -c statement_timeout={} -c default_transaction_read_only=on",
                         statement_timeout.count());
  settings.keywords.emplace_back("options", options);
  settings.keywords.emplace_back("client_encoding", "UTF8");
  bool named = false;
  for (const auto& [keyword, value] : settings.keywords) named |= keyword == "application_name";
  if (!named) settings.keywords.emplace_back("application_name", "basalt");
  return settings;
}

asio::awaitable<std::unique_ptr<PgConnection>> PgConnection::open(
    std::shared_ptr<const ConnectionSettings> settings) {
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  // libpq resolves a host name inside PQconnectStartParams, blocking: the name is resolved
  // here instead, asynchronously, and handed over as hostaddr.
  const ResolvedHost resolved = co_await resolve_host(*settings);
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [keyword, value] : settings->keywords) {
    keys.push_back(keyword.c_str());
    const bool replaced = keyword == "host" && !resolved.hosts.empty();
    values.push_back(replaced ? resolved.hosts.c_str() : value.c_str());
  }
  if (!resolved.addresses.empty()) {
    keys.push_back("hostaddr");
    values.push_back(resolved.addresses.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectStartParams(keys.data(), values.data(), 0);
  if (raw == nullptr) throw DatabaseError("cannot open a PostgreSQL connection: out of memory");
  std::unique_ptr<PgConnection> connection(new PgConnection(raw, settings, executor));
  PQsetNoticeReceiver(raw, &PgConnection::on_notice, connection.get());
  if (PQstatus(raw) == CONNECTION_BAD) connection->fail(connection_message(raw, {}));
  const Clock::time_point deadline = Clock::now() + settings->connect_timeout;
  // PQconnectStartParams behaves as if the first poll had asked for writing. libpq may open
  // a new socket between polls (another address, SSL refused), so the descriptor is
  // registered per wait while connecting.
  PostgresPollingStatusType poll = PGRES_POLLING_WRITING;
  while (poll != PGRES_POLLING_OK) {
    if (poll == PGRES_POLLING_FAILED) connection->fail(connection_message(raw, {}));
    connection->socket_.assign(PQsocket(raw));
    const descriptor_base::wait_type wanted =
        poll == PGRES_POLLING_READING ? descriptor_base::wait_read : descriptor_base::wait_write;
    const std::string_view no_sql;
    try {
      co_await connection->wait(wanted, deadline, no_sql);
    } catch (...) {
      connection->socket_.release();
      throw;
    }
    connection->socket_.release();
    poll = PQconnectPoll(raw);
  }
  if (PQsetnonblocking(raw, 1) != 0 || PQenterPipelineMode(raw) != 1) {
    connection->fail(connection_message(raw, {}));
  }
  connection->socket_.assign(PQsocket(raw));
  connection->timeout_ms_ = settings->statement_timeout.count();
  co_return connection;
}

PgConnection::PgConnection(PGconn* raw, std::shared_ptr<const ConnectionSettings> settings,
                           asio::any_io_executor executor)
    : conn_(raw, &PQfinish),
      settings_(std::move(settings)),
      socket_(executor),
      timer_(executor),
      names_(settings_->statement_cache_capacity) {}

PgConnection::~PgConnection() {
  // libpq owns the socket (invariant 2).
  if (socket_.is_open()) socket_.release();
}

void PgConnection::fail(std::string message) {
  broken_ = true;
  throw DatabaseError(std::move(message));
}

PgConnection::Clock::time_point PgConnection::deadline_after(
    std::chrono::milliseconds budget) const {
  if (budget <= std::chrono::milliseconds::zero()) budget = settings_->statement_timeout;
  return Clock::now() + budget + settings_->answer_grace;
}

asio::awaitable<void> PgConnection::wait(descriptor_base::wait_type type,
                                         Clock::time_point deadline, std::string_view sql) {
  using namespace asio::experimental::awaitable_operators;
  timer_.expires_at(deadline);
  // Named first: GCC 12 miscompiles temporaries in a co_await expression's call.
  auto ready = socket_.async_wait(type, asio::use_awaitable);
  auto expired = timer_.async_wait(asio::use_awaitable);
  auto race = std::move(ready) || std::move(expired);
  std::variant<std::monostate, std::monostate> outcome;
  try {
    outcome = co_await std::move(race);
  } catch (const boost::system::system_error& error) {
    fail(fmt::format("PostgreSQL connection lost: {}{}", error.what(),
                     sql.empty() ? "" : fmt::format(" [in: {}]", sql.substr(0, 300))));
  }
  if (outcome.index() == 1) {
    timed_out_ = true;
    fail(fmt::format("PostgreSQL did not answer in time{}",
                     sql.empty() ? "" : fmt::format(" [in: {}]", sql.substr(0, 300))));
  }
}

void PgConnection::on_notice(void* self, const PGresult* notice) noexcept {
  // An idle session's FATAL (pg_terminate_backend, a shutdown) reaches libpq as a notice: it
  // ends the session even before the socket's end is read.
  const char* severity = PQresultErrorField(notice, PG_DIAG_SEVERITY_NONLOCALIZED);
  const std::string_view level = severity != nullptr ? severity : "";
  if (level == "FATAL" || level == "PANIC") {
    static_cast<PgConnection*>(self)->broken_ = true;
    return;
  }
  // libpq would print the rest ("... does not exist, skipping") to stderr.
  spdlog::debug("PostgreSQL: {}", PQresultErrorMessage(notice));
}

bool PgConnection::usable() noexcept {
  if (broken_ || busy_) return false;
  // A session the server ended (pg_terminate_backend, a restart) has sent its FATAL and
  // closed the socket. Reading now, without waiting, finds either: PQisBusy parses what was
  // read and hands the FATAL to on_notice; the end of the stream turns the status bad. An
  // idle healthy session has nothing to read, and both calls return at once.
  if (PQconsumeInput(conn_.get()) == 0) broken_ = true;
  if (!broken_) PQisBusy(conn_.get());
  if (!broken_ && PQstatus(conn_.get()) != CONNECTION_OK) broken_ = true;
  return !broken_;
}

bool PgConnection::in_transaction() const noexcept {
  const PGTransactionStatusType status = PQtransactionStatus(conn_.get());
  return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
}

int PgConnection::backend_pid() const noexcept {
  return PQbackendPID(conn_.get());
}

void PgConnection::housekeeping(std::vector<Step>& steps) {
  // Outside a transaction, or right after the BEGIN that opens one (DEALLOCATE is not
  // transactional, but would fail in an aborted transaction).
  if (in_transaction()) return;
  if (deallocate_all_) {
    steps.push_back(Step{Step::Kind::kText, "DEALLOCATE ALL", {}});
    names_.clear();
    to_deallocate_.clear();
    deallocate_all_ = false;
    return;
  }
  for (const std::string& name : to_deallocate_) {
    steps.push_back(Step{Step::Kind::kText, "DEALLOCATE " + name, {}});
  }
  to_deallocate_.clear();
}

asio::awaitable<std::vector<PgConnection::Result>> PgConnection::exchange(
    const std::vector<Step>& steps, std::string_view sql, Clock::time_point deadline) {
  if (broken_) throw DatabaseError("PostgreSQL connection already lost");
  if (busy_) throw DatabaseError("PostgreSQL connection used by two calls at once");
  busy_ = true;  // until every result is read; left set if the caller's coroutine dies
  PGconn* conn = conn_.get();
  for (const Step& step : steps) {
    int sent = 0;
    switch (step.kind) {
      case Step::Kind::kText:
        sent = PQsendQueryParams(conn, step.text.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
        break;
      case Step::Kind::kPrepare:
        sent = PQsendPrepare(conn, step.name.c_str(), step.text.c_str(), 0, nullptr);
        break;
      case Step::Kind::kExecute:
        sent =
            PQsendQueryPrepared(conn, step.name.c_str(), step.params->size(), step.params->values(),
                                step.params->lengths(), step.params->formats(), 0);
        break;
      case Step::Kind::kDescribe:
        sent = PQsendDescribePrepared(conn, step.name.c_str());
        break;
    }
    if (sent != 1) fail(connection_message(conn, sql));
  }
  if (PQpipelineSync(conn) != 1) fail(connection_message(conn, sql));
  for (;;) {
    const int flushed = PQflush(conn);
    if (flushed == 0) break;
    if (flushed < 0) fail(connection_message(conn, sql));
    co_await wait(descriptor_base::wait_write, deadline, sql);
    // The server may be answering while we send (a large batch): take what it sent.
    if (PQconsumeInput(conn) == 0) fail(connection_message(conn, sql));
  }
  // Reads the next result, waiting for the server as long as libpq needs more input.
  auto next = [&]() -> asio::awaitable<Result> {
    while (PQisBusy(conn) != 0) {
      co_await wait(descriptor_base::wait_read, deadline, sql);
      if (PQconsumeInput(conn) == 0) fail(connection_message(conn, sql));
    }
    co_return Result(PQgetResult(conn));
  };
  std::vector<Result> results;
  results.reserve(steps.size());
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Result last;
    for (;;) {
      Result result = co_await next();
      if (!result) break;  // the end of this step's results
      if (PQresultStatus(result.get()) == PGRES_PIPELINE_SYNC) {
        fail(fmt::format("PostgreSQL pipeline out of step{}", sql.empty() ? "" : " [in SQL]"));
      }
      last = std::move(result);
    }
    if (!last) fail(connection_message(conn, sql));
    results.push_back(std::move(last));
  }
  Result sync = co_await next();
  if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
    fail(connection_message(conn, sql));
  }
  // An error that ended the session (pg_terminate_backend) arrives as a result: the
  // connection is gone all the same.
  for (const Result& result : results) {
    if (failed(result.get()) && ends_session(sqlstate_of(result.get()))) broken_ = true;
  }
  if (PQstatus(conn) != CONNECTION_OK) broken_ = true;
  busy_ = false;
  co_return results;
}

asio::awaitable<ResultSet> PgConnection::run(std::string_view sql, const Params& params,
                                             StatementRun how, ExecResult* exec) {
  bool stale_plan = false;
  try {
    co_return co_await run_once(sql, params, how, exec, stale_plan);
  } catch (const DatabaseError&) {
    // A table a prepared statement reads changed shape ("cached plan must not change result
    // type"): prepared again once, outside transactions only (inside, the error has already
    // ended the statement's savepoint; the job sees it).
    if (!stale_plan || broken_ || !how.begin.empty() || in_transaction()) throw;
  }
  co_return co_await run_once(sql, params, how, exec, stale_plan);
}

asio::awaitable<ResultSet> PgConnection::run_once(std::string_view sql, const Params& params,
                                                  const StatementRun& how, ExecResult* exec,
                                                  bool& stale_plan) {
  const BoundParams bound(params);
  std::vector<Step> steps;
  // BEGIN first: a transaction's access mode must be set before any query runs in it.
  if (!how.begin.empty()) steps.push_back(Step{Step::Kind::kText, std::string(how.begin), {}});
  housekeeping(steps);
  const std::int64_t budget_ms = how.budget > std::chrono::milliseconds::zero()
                                     ? how.budget.count()
                                     : settings_->statement_timeout.count();
  const bool set_budget = budget_ms != timeout_ms_;
  if (set_budget) {
    steps.push_back(
        Step{Step::Kind::kText,
             fmt::format("SELECT set_config('statement_timeout', '{}', false)", budget_ms),
             {}});
  }
  if (how.savepoint) steps.push_back(Step{Step::Kind::kText, std::string(kSavepoint), {}});
  const std::string* known = names_.find(sql);
  const std::string name = known != nullptr ? *known : names_.next_name();
  std::size_t prepare_at = steps.size();
  if (known == nullptr) {
    steps.push_back(Step{Step::Kind::kPrepare, std::string(sql), name});
  } else {
    prepare_at = static_cast<std::size_t>(-1);
  }
  const std::size_t execute_at = steps.size();
  steps.push_back(Step{Step::Kind::kExecute, {}, name, &bound});
  if (how.savepoint) steps.push_back(Step{Step::Kind::kText, std::string(kRelease), {}});

  const Clock::time_point deadline = deadline_after(std::chrono::milliseconds(budget_ms));
  const std::vector<Result> results = co_await exchange(steps, sql, deadline);

  if (prepare_at < results.size() && !failed(results[prepare_at].get())) {
    if (auto evicted = names_.add(sql)) to_deallocate_.push_back(std::move(*evicted));
  }
  const PGresult* first_error = nullptr;
  for (const Result& result : results) {
    if (failed(result.get())) {
      first_error = result.get();
      break;
    }
  }
  if (first_error == nullptr) {
    if (set_budget) timeout_ms_ = budget_ms;
  } else {
    // A failed implicit transaction undid the SET; a failed statement in a transaction may
    // have too (its savepoint is rolled back by the caller).
    timeout_ms_ = -1;
    if (broken_) {
      throw DatabaseError(connection_message(conn_.get(), sql),
                          pack_sqlstate(sqlstate_of(first_error)));
    }
    if (sqlstate_of(first_error) == "0A000" && known != nullptr) {
      stale_plan = true;
      if (auto gone = names_.remove(sql)) to_deallocate_.push_back(std::move(*gone));
    }
    throw_result_error(first_error, sql);
  }
  const PGresult* result = results[execute_at].get();
  if (exec != nullptr) {
    exec->changes = changed_rows(result);
    exec->last_insert_rowid = 0;
  }
  co_return result_set(result);
}

asio::awaitable<std::vector<FieldOrigin>> PgConnection::describe(std::string_view sql) {
  std::vector<Step> steps;
  housekeeping(steps);
  const std::string* known = names_.find(sql);
  const std::string name = known != nullptr ? *known : names_.next_name();
  std::size_t prepare_at = static_cast<std::size_t>(-1);
  if (known == nullptr) {
    prepare_at = steps.size();
    steps.push_back(Step{Step::Kind::kPrepare, std::string(sql), name});
  }
  const std::size_t describe_at = steps.size();
  steps.push_back(Step{Step::Kind::kDescribe, {}, name});
  const Clock::time_point deadline = deadline_after(std::chrono::milliseconds::zero());
  const std::vector<Result> results = co_await exchange(steps, sql, deadline);
  if (prepare_at < results.size() && !failed(results[prepare_at].get())) {
    if (auto evicted = names_.add(sql)) to_deallocate_.push_back(std::move(*evicted));
  }
  for (const Result& result : results) {
    if (failed(result.get())) throw_result_error(result.get(), sql);
  }
  const PGresult* described = results[describe_at].get();
  std::vector<FieldOrigin> fields;
  for (int f = 0; f < PQnfields(described); ++f) {
    fields.push_back(
        FieldOrigin{PQfname(described, f), PQftable(described, f), PQftablecol(described, f)});
  }
  co_return fields;
}

asio::awaitable<std::vector<ResultSet>> PgConnection::run_texts(std::vector<std::string> texts) {
  // Prepared like any statement (invariant 4): a transaction's fixed statements (BEGIN,
  // COMMIT, the written-tables query) are planned once per connection, not once per job.
  static const Params kNoParams;
  const BoundParams none(kNoParams);
  std::vector<Step> steps;
  std::vector<std::size_t> executes;  // the step that runs each text
  std::vector<std::size_t> prepares;  // the step that prepares it, or npos
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::uint64_t new_names = 0;
  for (std::size_t t = 0; t < texts.size(); ++t) {
    // A rollback undoes a SET of the statement timeout made in the transaction.
    if (texts[t].starts_with("ROLLBACK")) timeout_ms_ = -1;
    const std::string* known = names_.find(texts[t]);
    std::string name;
    if (known != nullptr) {
      name = *known;
      prepares.push_back(kNone);
    } else {
      // Names of statements not added yet: next_name() counts on from the last added one.
      name = "b" + std::to_string(std::stoull(names_.next_name().substr(1)) + new_names++);
      prepares.push_back(steps.size());
      steps.push_back(Step{Step::Kind::kPrepare, texts[t], name});
    }
    executes.push_back(steps.size());
    steps.push_back(Step{Step::Kind::kExecute, {}, name, &none});
    // Housekeeping after a leading BEGIN (a transaction's access mode must be set before
    // anything else runs in it).
    if (t == 0 && texts[t].starts_with("BEGIN")) housekeeping(steps);
  }
  if (texts.empty() || !texts.front().starts_with("BEGIN")) {
    std::vector<Step> tidy;
    housekeeping(tidy);
    for (std::size_t& at : executes) at += tidy.size();
    for (std::size_t& at : prepares) at = at == kNone ? kNone : at + tidy.size();
    steps.insert(steps.begin(), std::make_move_iterator(tidy.begin()),
                 std::make_move_iterator(tidy.end()));
  }
  if (steps.empty()) co_return std::vector<ResultSet>{};
  const Clock::time_point deadline = deadline_after(std::chrono::milliseconds::zero());
  const std::string_view last = texts.back();
  const std::vector<Result> results = co_await exchange(steps, last, deadline);
  // Names in the order they were handed out above.
  for (std::size_t t = 0; t < texts.size(); ++t) {
    if (prepares[t] == kNone) continue;
    if (failed(results[prepares[t]].get())) break;  // later names were never used
    if (auto evicted = names_.add(texts[t])) to_deallocate_.push_back(std::move(*evicted));
  }
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (failed(results[i].get())) {
      timeout_ms_ = -1;
      const std::string_view text = steps[i].kind == Step::Kind::kPrepare ? steps[i].text : last;
      throw_result_error(results[i].get(), text);
    }
  }
  std::vector<ResultSet> sets;
  for (std::size_t at : executes) sets.push_back(result_set(results[at].get()));
  co_return sets;
}

}  // namespace basalt::db::postgres
