#include "basalt/jobs/job_store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "basalt/schema/ids.hpp"

namespace basalt::jobs {
namespace {

constexpr std::size_t kMaxErrorBytes = 1000;
constexpr std::string_view kQueued = "queued";
constexpr std::string_view kRunning = "running";
constexpr std::string_view kDone = "done";
constexpr std::string_view kFailed = "failed";

// The SQL of one dialect, built once per call site from identifiers and placeholders only.
struct Sql {
  const db::Dialect& d;
  std::string table() const { return d.quote_identifier(kJobsTable); }
  std::string p(std::size_t i) const { return d.placeholder(i); }
  std::string q(std::string_view name) const { return d.quote_identifier(name); }
};

std::string clip(std::string text) {
  if (text.size() > kMaxErrorBytes) text.resize(kMaxErrorBytes);
  return text;
}

}  // namespace

std::vector<db::Migration> job_migrations(const db::Dialect& dialect) {
  auto create = [&dialect](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const Sql s{dialect};
    const auto text = dialect.column_type(db::ColumnType::kText);
    const auto integer = dialect.column_type(db::ColumnType::kInteger);
    const std::string table = fmt::format(
        "CREATE TABLE {} ({} {} PRIMARY KEY NOT NULL, {} {} NOT NULL, {} {} NOT NULL, "
        "{} {} NOT NULL, {} {} NOT NULL, {} {} NOT NULL DEFAULT 0, {} {} NOT NULL, "
        "{} {} NOT NULL DEFAULT '', {} {} NOT NULL DEFAULT 0, {} {} NOT NULL DEFAULT '', "
        "{} {} UNIQUE, {} {} NOT NULL, {} {} NOT NULL)",
        s.table(), s.q("id"), text, s.q("kind"), text, s.q("payload"), text, s.q("state"), text,
        s.q("runAt"), integer, s.q("attempts"), integer, s.q("maxAttempts"), integer,
        s.q("leaseOwner"), text, s.q("leaseUntil"), integer, s.q("lastError"), text,
        s.q("dedupeKey"), text, s.q("created"), integer, s.q("updated"), integer);
    co_await tx.execute(table);
    const std::string due_index = fmt::format("CREATE INDEX {} ON {} ({}, {})", s.q("_jobs_due"),
                                              s.table(), s.q("state"), s.q("runAt"));
    co_await tx.execute(due_index);
  };
  return {db::Migration{"1765065600_create_jobs", create}};
}

JobStore::JobStore(db::Database& database, const core::Clock& clock, RetryPolicy retry)
    : database_(database), clock_(clock), retry_(retry) {}

std::int64_t JobStore::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

std::chrono::milliseconds JobStore::backoff(int attempt) const {
  std::chrono::milliseconds delay = retry_.first;
  for (int i = 1; i < attempt && delay < retry_.max; ++i) delay *= 2;
  delay = std::min(delay, retry_.max);
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<std::int64_t> jitter(0, delay.count() / 2);
  return delay - std::chrono::milliseconds(jitter(random));
}

boost::asio::awaitable<bool> JobStore::enqueue(NewJob job) {
  if (job.kind.empty()) throw std::invalid_argument("a job needs a kind");
  if (job.max_attempts < 1) throw std::invalid_argument("a job needs max_attempts >= 1");
  const Sql s{database_.dialect()};
  const std::string sql = fmt::format(
      "INSERT INTO {} ({}, {}, {}, {}, {}, {}, {}, {}, {}) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, "
      "{}) ON CONFLICT DO NOTHING",
      s.table(), s.q("id"), s.q("kind"), s.q("payload"), s.q("state"), s.q("runAt"),
      s.q("maxAttempts"), s.q("dedupeKey"), s.q("created"), s.q("updated"), s.p(1), s.p(2), s.p(3),
      s.p(4), s.p(5), s.p(6), s.p(7), s.p(8), s.p(8));
  const std::int64_t now = now_ms();
  const std::int64_t run_at =
      job.run_at == std::chrono::system_clock::time_point{}
          ? now
          : std::chrono::duration_cast<std::chrono::milliseconds>(job.run_at.time_since_epoch())
                .count();
  db::Params params{schema::random_string(15), job.kind, job.payload,
                    std::string(kQueued),      run_at,   std::int64_t{job.max_attempts}};
  if (job.dedupe_key) {
    params.emplace_back(*job.dedupe_key);
  } else {
    params.emplace_back(nullptr);
  }
  params.emplace_back(now);
  bool inserted = false;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const db::ExecResult result = co_await tx.execute(sql, params);
    inserted = result.changes > 0;
  });
  co_return inserted;
}

boost::asio::awaitable<std::vector<ClaimedJob>> JobStore::cycle(Cycle cycle, std::string owner,
                                                                std::chrono::milliseconds lease) {
  const db::Dialect& dialect = database_.dialect();
  const Sql s{dialect};
  // Outcomes and renewals touch only rows still running under this owner (invariant 2).
  const std::string mine = fmt::format(" WHERE {} = {} AND {} = {} AND {} = {}", s.q("id"), s.p(1),
                                       s.q("state"), s.p(2), s.q("leaseOwner"), s.p(3));
  const std::string done_sql =
      fmt::format("UPDATE {} SET {} = {}, {} = {}, {} = '' {}", s.table(), s.q("state"), s.p(4),
                  s.q("updated"), s.p(5), s.q("leaseOwner"), mine);
  const std::string retry_sql =
      fmt::format("UPDATE {} SET {} = {}, {} = {}, {} = {}, {} = {}, {} = '', {} = 0 {}", s.table(),
                  s.q("state"), s.p(4), s.q("updated"), s.p(5), s.q("runAt"), s.p(6),
                  s.q("lastError"), s.p(7), s.q("leaseOwner"), s.q("leaseUntil"), mine);
  const std::string renew_sql =
      fmt::format("UPDATE {} SET {} = {} {}", s.table(), s.q("leaseUntil"), s.p(4), mine);
  const std::string release_sql = fmt::format(
      "UPDATE {} SET {} = {}, {} = {} - 1, {} = '', {} = 0 {}", s.table(), s.q("state"), s.p(4),
      s.q("attempts"), s.q("attempts"), s.q("leaseOwner"), s.q("leaseUntil"), mine);
  const std::string due_sql = fmt::format(
      "SELECT {}, {}, {}, {}, {} FROM {} WHERE ({} = {} AND {} <= {}) OR ({} = {} AND {} <= {}) "
      "ORDER BY {} LIMIT {}{}",
      s.q("id"), s.q("kind"), s.q("payload"), s.q("attempts"), s.q("maxAttempts"), s.table(),
      s.q("state"), s.p(1), s.q("runAt"), s.p(2), s.q("state"), s.p(3), s.q("leaseUntil"), s.p(2),
      s.q("runAt"), std::max<std::size_t>(cycle.claim, 1), dialect.skip_locked_clause());
  const std::string claim_sql = fmt::format(
      "UPDATE {} SET {} = {}, {} = {} + 1, {} = {}, {} = {}, {} = {} WHERE {} = {}", s.table(),
      s.q("state"), s.p(1), s.q("attempts"), s.q("attempts"), s.q("leaseOwner"), s.p(2),
      s.q("leaseUntil"), s.p(3), s.q("updated"), s.p(4), s.q("id"), s.p(5));
  const std::string expired_sql =
      fmt::format("UPDATE {} SET {} = {}, {} = {}, {} = {}, {} = '' WHERE {} = {}", s.table(),
                  s.q("state"), s.p(1), s.q("lastError"), s.p(2), s.q("updated"), s.p(3),
                  s.q("leaseOwner"), s.q("id"), s.p(4));

  // Decided before the job: a write job may run more than once, so it derives nothing random.
  const std::int64_t now = now_ms();
  const std::int64_t lease_until = now + lease.count();
  struct Planned {
    const JobOutcome* outcome;
    std::string state;
    std::int64_t run_at;
  };
  std::vector<Planned> planned;
  for (const JobOutcome& outcome : cycle.outcomes) {
    if (outcome.succeeded) {
      planned.push_back({&outcome, std::string(kDone), 0});
    } else if (outcome.permanent || outcome.attempt >= outcome.max_attempts) {
      planned.push_back({&outcome, std::string(kFailed), 0});
    } else {
      planned.push_back({&outcome, std::string(kQueued), now + backoff(outcome.attempt).count()});
    }
  }

  std::vector<ClaimedJob> claimed;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    claimed.clear();
    const std::string running(kRunning);
    const std::string queued(kQueued);
    for (const Planned& plan : planned) {
      const std::string& id = plan.outcome->id;
      if (plan.state == kDone) {
        co_await tx.execute(done_sql, id, running, owner, plan.state, now);
      } else {
        // A failed row keeps its runAt; a retried one gets the backoff's.
        const std::int64_t run_at = plan.state == kQueued ? plan.run_at : now;
        const std::string error = clip(plan.outcome->error);
        co_await tx.execute(retry_sql, id, running, owner, plan.state, now, run_at, error);
      }
    }
    for (const std::string& id : cycle.renew) {
      co_await tx.execute(renew_sql, id, running, owner, lease_until);
    }
    for (const std::string& id : cycle.release) {
      co_await tx.execute(release_sql, id, running, owner, queued);
    }
    if (cycle.claim == 0) co_return;
    const db::ResultSet due = co_await tx.query(due_sql, queued, now, running);
    for (auto row : due) {
      ClaimedJob job{std::string(row.as_text(0)), std::string(row.as_text(1)),
                     std::string(row.as_text(2)), static_cast<int>(row.as_int(3)) + 1,
                     static_cast<int>(row.as_int(4))};
      if (job.attempt > job.max_attempts) {
        // Invariant 3: its runner stopped during the last attempt.
        const std::string failed(kFailed);
        const std::string reason = "lease expired during the last attempt (its runner stopped)";
        co_await tx.execute(expired_sql, failed, reason, now, job.id);
        continue;
      }
      co_await tx.execute(claim_sql, running, owner, lease_until, now, job.id);
      claimed.push_back(std::move(job));
    }
  });
  co_return claimed;
}

boost::asio::awaitable<JobStore::Due> JobStore::due() {
  const Sql s{database_.dialect()};
  const std::string sql = fmt::format(
      "SELECT MIN({}), (SELECT MIN({}) FROM {} WHERE {} = {}) FROM {} WHERE {} = {}", s.q("runAt"),
      s.q("leaseUntil"), s.table(), s.q("state"), s.p(2), s.table(), s.q("state"), s.p(1));
  const std::string queued(kQueued);
  const std::string running(kRunning);
  const db::ResultSet rows = co_await database_.query(sql, queued, running);
  Due due;
  const std::int64_t now = now_ms();
  std::int64_t earliest = 0;
  for (auto row : rows) {
    for (std::size_t column = 0; column < 2; ++column) {
      if (row.is_null(column)) continue;
      const std::int64_t at = row.as_int(column);
      if (at <= now) due.now = true;
      if (earliest == 0 || at < earliest) earliest = at;
    }
  }
  if (earliest > now) {
    due.next = std::chrono::system_clock::time_point(std::chrono::milliseconds(earliest));
  }
  co_return due;
}

boost::asio::awaitable<std::int64_t> JobStore::prune(std::chrono::milliseconds done_for,
                                                     std::chrono::milliseconds failed_for,
                                                     std::size_t limit) {
  const Sql s{database_.dialect()};
  // A bounded page per state: the writer holds no long delete (PostgreSQL has no DELETE LIMIT).
  const std::string sql = fmt::format(
      "DELETE FROM {} WHERE {} IN (SELECT {} FROM {} WHERE {} = {} AND {} < {} LIMIT {})",
      s.table(), s.q("id"), s.q("id"), s.table(), s.q("state"), s.p(1), s.q("updated"), s.p(2),
      limit);
  const std::int64_t now = now_ms();
  const std::int64_t done_before = now - done_for.count();
  const std::int64_t failed_before = now - failed_for.count();
  std::int64_t removed = 0;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    removed = 0;
    const std::string done(kDone);
    const std::string failed(kFailed);
    removed += (co_await tx.execute(sql, done, done_before)).changes;
    removed += (co_await tx.execute(sql, failed, failed_before)).changes;
  });
  co_return removed;
}

boost::asio::awaitable<JobCounts> JobStore::counts() {
  const Sql s{database_.dialect()};
  const std::string sql = fmt::format("SELECT {}, COUNT(*) FROM {} WHERE {} <> {} GROUP BY {}",
                                      s.q("state"), s.table(), s.q("state"), s.p(1), s.q("state"));
  const std::string done(kDone);
  const db::ResultSet rows = co_await database_.query(sql, done);
  JobCounts counts;
  for (auto row : rows) {
    const std::string_view state = row.as_text(0);
    const std::int64_t n = row.as_int(1);
    if (state == kQueued) counts.queued = n;
    if (state == kRunning) counts.running = n;
    if (state == kFailed) counts.failed = n;
  }
  co_return counts;
}

boost::asio::awaitable<std::vector<JobRow>> JobStore::list(std::string state, std::size_t limit) {
  const Sql s{database_.dialect()};
  const std::string sql = fmt::format(
      "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM {} WHERE ({} = '' OR {} = {}) ORDER BY {} "
      "DESC, {} DESC LIMIT {}",
      s.q("id"), s.q("kind"), s.q("state"), s.q("runAt"), s.q("attempts"), s.q("maxAttempts"),
      s.q("lastError"), s.q("created"), s.q("updated"), s.table(), s.p(1), s.q("state"), s.p(1),
      s.q("created"), s.q("id"), limit);
  const db::ResultSet rows = co_await database_.query(sql, state);
  std::vector<JobRow> list;
  for (auto row : rows) {
    list.push_back(JobRow{std::string(row.as_text(0)), std::string(row.as_text(1)),
                          std::string(row.as_text(2)), row.as_int(3),
                          static_cast<int>(row.as_int(4)), static_cast<int>(row.as_int(5)),
                          std::string(row.as_text(6)), row.as_int(7), row.as_int(8)});
  }
  co_return list;
}

}  // namespace basalt::jobs
