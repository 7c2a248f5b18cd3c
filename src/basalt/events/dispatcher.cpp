#include "basalt/events/dispatcher.hpp"

#include "basalt/events/custom_events.hpp"
#include "basalt/events/dispatcher_internal.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <utility>

#include "basalt/core/api_error.hpp"
#include "basalt/events/delivery_log_id.hpp"
#include "basalt/events/delivery_trace.hpp"
#include "basalt/events/outbox_tables.hpp"
#include "basalt/metrics/shared_gauges.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::events {

namespace json = boost::json;

namespace {

constexpr std::int64_t kPruneEveryMs = 60'000;
constexpr std::size_t kRedeliveriesPerPass = 20;
constexpr std::size_t kSaveEvery = 32;  // delivered events per progress save

enum OutcomeIndex : std::size_t { kDeliveredIndex, kRetryIndex, kRejectedIndex, kDeadIndex };

void count_outcome(OutcomeIndex index) {
  metrics::shared_gauges().outbox_deliveries[index].fetch_add(1, std::memory_order_relaxed);
}

std::string random_owner() {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("inst_") + hex;
}

OutboxEvent event_from_row(db::ResultSet::Row row) {
  OutboxEvent event;
  event.sequence = row.as_int(0);
  event.event_id = std::string(row.as_text(1));
  event.action = std::string(row.as_text(2));
  event.collection_id = std::string(row.as_text(3));
  event.collection_name = std::string(row.as_text(4));
  event.record_json = std::string(row.as_text(5));
  event.committed_at = std::string(row.as_text(6));
  event.trace_parent = std::string(row.as_text(7));
  event.trace_state = std::string(row.as_text(8));
  return event;
}

}  // namespace

Dispatcher::Dispatcher(db::Database& database, collections::CollectionService& collections,
                       records::RecordService& records, DestinationService& destinations,
                       const core::Clock& clock, DispatcherOptions options)
    : database_(database),
      collections_(collections),
      records_(records),
      destinations_(destinations),
      clock_(clock),
      options_(std::move(options)),
      statements_(database.dialect()) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (options_.owner.empty()) options_.owner = random_owner();
}

Dispatcher::~Dispatcher() {
  stop();
}

std::int64_t Dispatcher::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
      .count();
}

std::chrono::milliseconds Dispatcher::backoff(int attempt) {
  // retry_base * 2^(attempt-1), capped, then a random point in its upper half (jitter keeps
  // instances that failed together from retrying together).
  std::int64_t delay = options_.retry_base.count();
  for (int i = 1; i < attempt && delay < options_.retry_max.count(); ++i) delay *= 2;
  delay = std::min(delay, options_.retry_max.count());
  const std::int64_t half = delay / 2;
  const std::int64_t jitter =
      half > 0 ? static_cast<std::int64_t>(randombytes_uniform(
                     static_cast<std::uint32_t>(std::min<std::int64_t>(half + 1, UINT32_MAX))))
               : 0;
  return std::chrono::milliseconds(delay - half + jitter);
}

boost::asio::awaitable<std::int64_t> Dispatcher::destinations_version() {
  const db::ResultSet rows = co_await database_.query(statements_.version, db::Params{});
  co_return rows.empty() ? 0 : rows[0].as_int(0);
}

boost::asio::awaitable<void> Dispatcher::pass(PassReport& report, bool inline_serve) {
  bool recheck = false;
  {
    std::lock_guard lock(mutex_);
    recheck = std::exchange(recheck_, false);
  }
  // The list as committed now, read again only when `_destinationsVersion` moved: every change
  // of the list writes a new one in its own transaction. The version is read first, so a
  // change committed between the two reads is seen again at the next read. A change made here
  // asks for it at once (recheck()); one made by another instance is seen within a
  // poll_interval: commit-driven passes in between read nothing (they only hand out tasks).
  const std::int64_t started_ms = now_ms();
  // (A clock that stepped back re-reads too: the poll stays within its interval.)
  if (inline_serve || recheck || loaded_version_ == 0 || started_ms < version_read_ms_ ||
      started_ms - version_read_ms_ >= options_.poll_interval.count()) {
    version_read_ms_ = started_ms;
    const std::int64_t version = co_await destinations_version();
    if (version == 0 || version != loaded_version_) {
      loaded_ = co_await destinations_.load();
      loaded_version_ = version;
    }
  }
  const std::vector<DestinationSpec>& all = loaded_;
  std::map<std::string, std::shared_ptr<Live>> kept;
  for (const DestinationSpec& spec : all) {
    if (!spec.enabled) continue;
    // The lease is renewed once half of it has passed, not on every pass (a write job each).
    const std::int64_t now = now_ms();
    std::int64_t& until = lease_until_[spec.id];
    if (auto found = live_.find(spec.id);
        found != live_.end() && found->second && found->second->lost_lease.exchange(false)) {
      until = 0;
    }
    if (until - now < options_.lease_duration.count() / 2) {
      const bool owned = co_await take_lease(spec.id, now);
      until = owned ? now + options_.lease_duration.count() : 0;
    }
    std::shared_ptr<Live>& live = live_[spec.id];
    if (until <= now) {
      // Not ours (now): a task of it still running stays known, so that a lease taken back
      // later never starts a second task beside it.
      if (live && live->busy.load()) kept[spec.id] = live;
      continue;
    }
    if (live && live->busy.load() && live->updated != spec.updated) {
      // Changed while a task of it runs: rebuilt once that task ends (it wakes us), so two
      // tasks of one destination never overlap.
      kept[spec.id] = live;
      continue;
    }
    if (!live || live->updated != spec.updated) {
      if (live) co_await save_unsaved(spec.id, *live);  // not busy (above): ours to save
      live = std::make_shared<Live>();
      live->updated = spec.updated;
      try {
        live->destination = options_.factory ? options_.factory(spec)
                                             : make_destination(spec, options_.destinations);
      } catch (const std::exception& error) {
        spdlog::warn("events: destination {} cannot be built: {}", spec.id, error.what());
        live.reset();
        continue;
      }
    }
    kept[spec.id] = live;
    if (inline_serve) {
      live->spec_version = loaded_version_;
      co_await serve(spec, *live, report, true);
      continue;
    }
    // Waiting out a retry (an endpoint that is down): not served at every commit's pass, only
    // when the retry is due (the thread wakes for it), when asked (recheck()), or once per
    // kBackoffRecheckMs, for a redelivery asked on another instance.
    const std::int64_t due = live->next_due_ms.load();
    if (due > now && !recheck && now - live->backoff_checked_ms < kBackoffRecheckMs) continue;
    if (due > now) live->backoff_checked_ms = now;
    // Asked first, then tried: if a task still runs, it sees the request when it ends (see
    // submit()) and wakes the next pass, which submits again.
    live->look_again.store(true, std::memory_order_seq_cst);
    if (!live->busy.exchange(true, std::memory_order_seq_cst)) {
      live->look_again.store(false, std::memory_order_seq_cst);
      live->spec_version = loaded_version_;
      submit(spec, live);
    }
  }
  // Destinations deleted, disabled or owned elsewhere are dropped, their unsaved progress saved
  // first (a fenced update: nothing changes where the lease is another's now).
  for (const auto& [id, live] : live_) {
    if (live && !kept.contains(id) && !live->busy.load()) co_await save_unsaved(id, *live);
  }
  live_ = std::move(kept);
  next_due_ms_ = 0;
  for (const auto& [id, live] : live_) {
    for (const std::int64_t due : {live->next_due_ms.load(), live->save_due_ms.load()}) {
      if (due > 0 && (next_due_ms_ == 0 || due < next_due_ms_)) next_due_ms_ = due;
    }
  }
  if (now_ms() - last_prune_ms_ >= kPruneEveryMs) {
    last_prune_ms_ = now_ms();
    report.pruned = co_await prune_now();
  }
  // The gauges at most once a second: their COUNT reads the whole backlog.
  if (now_ms() - last_measure_ms_ >= 1000) {
    last_measure_ms_ = now_ms();
    co_await measure();
  }
}

boost::asio::awaitable<bool> Dispatcher::take_lease(const std::string& id, std::int64_t now) {
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string sql = "UPDATE " + q(kDestinationStatesTable) + " SET " + q("owner") + " = " +
                          d.placeholder(1) + ", " + q("leaseExpires") + " = " + d.placeholder(2) +
                          " WHERE " + q("destinationId") + " = " + d.placeholder(3) + " AND (" +
                          q("owner") + " = " + d.placeholder(1) + " OR " + q("leaseExpires") +
                          " < " + d.placeholder(4) + ")";
  const db::Params params{db::Value(options_.owner),
                          db::Value(now + options_.lease_duration.count()), db::Value(id),
                          db::Value(now)};
  bool owned = false;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const db::ExecResult result = co_await tx.execute(sql, params);
    owned = result.changes > 0;
  };
  co_await database_.write(job);
  co_return owned;
}

boost::asio::awaitable<void> Dispatcher::release_leases() {
  const db::Dialect& d = database_.dialect();
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string sql = "UPDATE " + q(kDestinationStatesTable) + " SET " + q("owner") +
                          " = '', " + q("leaseExpires") + " = 0 WHERE " + q("owner") + " = " +
                          d.placeholder(1);
  const db::Params params{db::Value(options_.owner)};
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(sql, params);
  };
  co_await database_.write(job);
}

boost::asio::awaitable<bool> Dispatcher::wanted(const DestinationSpec& spec,
                                                const OutboxEvent& event) {
  // The newest event kept past the retention only for its number (prune_now): not an event.
  if (event.record_json.empty()) co_return false;
  // A custom event: named explicitly in `actions`; no collection, no record filter.
  if (is_custom_action(event.action)) co_return wants_custom(spec.actions, event.action);
  if (!spec.wants_collection(event.collection_id) || !spec.wants_action(event.action)) {
    co_return false;
  }
  if (spec.filter.empty()) co_return true;
  // The filter as a superuser's realtime filter on the event's record: in memory when it reads
  // only the record, else one statement over the record as a one-row CTE. A filter that does
  // not compile for this collection (a field it lacks) matches nothing.
  auto catalog = collections_.catalog();
  const schema::Collection* superusers = catalog->find(records::kSuperusersCollection);
  static const json::object kNoRecord;
  const records::Caller superuser{superusers, &kNoRecord, {}};
  records::RecordEvent record_event;
  record_event.action = event.action == "create"   ? records::RecordAction::kCreate
                        : event.action == "update" ? records::RecordAction::kUpdate
                                                   : records::RecordAction::kDelete;
  record_event.collection_id = event.collection_id;
  record_event.collection_name = event.collection_name;
  record_event.record = json::parse(event.record_json).as_object();
  std::string filter = spec.filter;
  std::string no_expand;
  query::RequestInfo request;
  bool matched = false;
  try {
    auto result =
        co_await records_.realtime_record(superuser, record_event, false, std::move(filter),
                                          std::move(no_expand), std::move(request));
    matched = result.has_value();
  } catch (const core::ApiError&) {
    matched = false;
  }
  co_return matched;
}

Dispatcher::Statements::Statements(const db::Dialect& d) {
  auto q = [&d](std::string_view name) { return d.quote_identifier(name); };
  const std::string event_columns = q("seq") + ", " + q("eventId") + ", " + q("action") + ", " +
                                    q("collectionId") + ", " + q("collectionName") + ", " +
                                    q("record") + ", " + q("committed") + ", " + q("traceparent") +
                                    ", " + q("tracestate");
  log = "INSERT INTO " + q(kDeliveriesTable) + " (" + q("id") + ", " + q("destinationId") + ", " +
        q("seq") + ", " + q("eventId") + ", " + q("action") + ", " + q("collectionName") + ", " +
        q("status") + ", " + q("httpStatus") + ", " + q("attempt") + ", " + q("durationMs") + ", " +
        q("detail") + ", " + q("created") + ", " + q("createdMs") + ") VALUES (" +
        d.placeholder(1) + ", " + d.placeholder(2) + ", " + d.placeholder(3) + ", " +
        d.placeholder(4) + ", " + d.placeholder(5) + ", " + d.placeholder(6) + ", " +
        d.placeholder(7) + ", " + d.placeholder(8) + ", " + d.placeholder(9) + ", " +
        d.placeholder(10) + ", " + d.placeholder(11) + ", " + d.placeholder(12) + ", " +
        d.placeholder(13) + ")";
  // The state moves only while this instance holds the lease (a fenced update).
  state = "UPDATE " + q(kDestinationStatesTable) + " SET " + q("cursor") + " = " +
          d.placeholder(1) + ", " + q("attempts") + " = " + d.placeholder(2) + ", " +
          q("nextAttempt") + " = " + d.placeholder(3) + " WHERE " + q("destinationId") + " = " +
          d.placeholder(4) + " AND " + q("owner") + " = " + d.placeholder(5);
  redeliveries = "SELECT r." + q("id") + ", o." + q("seq") + ", o." + q("eventId") + ", o." +
                 q("action") + ", o." + q("collectionId") + ", o." + q("collectionName") + ", o." +
                 q("record") + ", o." + q("committed") + ", o." + q("traceparent") + ", o." +
                 q("tracestate") + " FROM " + q(kRedeliveriesTable) + " r JOIN " + q(kOutboxTable) +
                 " o ON o." + q("seq") + " = r." + q("seq") + " WHERE r." + q("destinationId") +
                 " = " + d.placeholder(1) + " AND o." + q("record") + " <> '' ORDER BY r." +
                 q("createdMs") + " LIMIT " + std::to_string(kRedeliveriesPerPass);
  drop_redelivery =
      "DELETE FROM " + q(kRedeliveriesTable) + " WHERE " + q("id") + " = " + d.placeholder(1);
  state_read = "SELECT " + q("cursor") + ", " + q("attempts") + ", " + q("nextAttempt") + " FROM " +
               q(kDestinationStatesTable) + " WHERE " + q("destinationId") + " = " +
               d.placeholder(1);
  version = "SELECT " + q("version") + " FROM " + q(kDestinationsVersionTable);
  rows = "SELECT " + event_columns + " FROM " + q(kOutboxTable) + " WHERE " + q("seq") + " > " +
         d.placeholder(1) + " ORDER BY " + q("seq") + " LIMIT ";
}

db::Params Dispatcher::log_params(const std::string& destination_id, const OutboxEvent& event,
                                  std::string_view status, const DeliveryResult& result,
                                  int attempt) const {
  return db::Params{db::Value(delivery_log_id(clock_.now())),
                    db::Value(destination_id),
                    db::Value(event.sequence),
                    db::Value(event.event_id),
                    db::Value(event.action),
                    db::Value(event.collection_name),
                    db::Value(std::string(status)),
                    db::Value(std::int64_t{result.status}),
                    db::Value(std::int64_t{attempt}),
                    db::Value(static_cast<std::int64_t>(result.duration.count())),
                    db::Value(result.detail.substr(0, 1024)),
                    db::Value(schema::format_datetime(clock_.now())),
                    db::Value(now_ms())};
}

boost::asio::awaitable<bool> Dispatcher::save_progress(const std::string& destination_id,
                                                       Live& live, std::int64_t cursor,
                                                       int attempts, std::int64_t next_attempt) {
  const db::Params state_params{db::Value(cursor), db::Value(std::int64_t{attempts}),
                                db::Value(next_attempt), db::Value(destination_id),
                                db::Value(options_.owner)};
  bool lost_lease = false;
  auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const db::ExecResult moved = co_await tx.execute(statements_.state, state_params);
    lost_lease = moved.changes == 0;
    if (lost_lease) co_return;
    for (const db::Params& logged : live.unsaved_logs) co_await tx.execute(statements_.log, logged);
  };
  co_await database_.write(job);
  // Saved, or not ours to save any more: the new owner sends these events again (at least
  // once), and their attempts stay unlogged.
  live.unsaved_cursor = 0;
  live.unsaved_logs.clear();
  live.save_due_ms = 0;
  if (lost_lease) live.lost_lease = true;  // another instance took it: ask again next pass
  co_return !lost_lease;
}

boost::asio::awaitable<void> Dispatcher::save_unsaved(const std::string& destination_id,
                                                      Live& live) {
  if (!live.has_unsaved()) co_return;
  co_await save_progress(destination_id, live, live.unsaved_cursor, 0, 0);
}

boost::asio::awaitable<void> Dispatcher::save_all_unsaved() {
  // After the pool ended (stop()): no task runs, and a task dropped before it started left its
  // destination's `busy` set with the previous task's progress unsaved, which is saved too.
  for (const auto& [id, live] : live_) {
    if (live) co_await save_unsaved(id, *live);
  }
}

boost::asio::awaitable<void> Dispatcher::serve(const DestinationSpec& spec, Live& live,
                                               PassReport& report, bool save_now) {
  // Redeliveries asked for by hand: one attempt each, logged, whatever the cursor.
  const db::Params by_destination{db::Value(spec.id)};
  db::ResultSet queued = co_await database_.query(statements_.redeliveries, by_destination);
  for (auto row : queued) {
    const std::string redelivery_id(row.as_text(0));
    OutboxEvent event;
    event.sequence = row.as_int(1);
    event.event_id = std::string(row.as_text(2));
    event.action = std::string(row.as_text(3));
    event.collection_id = std::string(row.as_text(4));
    event.collection_name = std::string(row.as_text(5));
    event.record_json = std::string(row.as_text(6));
    event.committed_at = std::string(row.as_text(7));
    event.trace_parent = std::string(row.as_text(8));
    event.trace_state = std::string(row.as_text(9));
    const DeliveryResult result =
        deliver_traced(*live.destination, event, {spec, 1, true}, options_.tracing);
    const bool ok = result.outcome == DeliveryResult::Outcome::kDelivered;
    count_outcome(ok ? kDeliveredIndex : kRejectedIndex);
    const db::Params logged = log_params(spec.id, event, ok ? "delivered" : "failed", result, 1);
    const db::Params dropped{db::Value(redelivery_id)};
    auto job = [&](db::Transaction& tx) -> boost::asio::awaitable<void> {
      co_await tx.execute(statements_.log, logged);
      co_await tx.execute(statements_.drop_redelivery, dropped);
    };
    co_await database_.write(job);
    ok ? ++report.delivered : ++report.failed;
  }

  db::ResultSet state = co_await database_.query(statements_.state_read, by_destination);
  if (state.empty()) co_return;
  std::int64_t cursor = state[0].as_int(0);
  int attempts = static_cast<int>(state[0].as_int(1));
  std::int64_t next_attempt = state[0].as_int(2);
  if (live.unsaved_cursor > cursor) {
    // Delivered past the saved cursor: the saved attempts were of an event since delivered
    // (a retry is saved before its wait, so none is pending now).
    cursor = live.unsaved_cursor;
    attempts = 0;
    next_attempt = 0;
  }
  if (next_attempt > now_ms()) {
    live.next_due_ms = next_attempt;
    co_return;
  }
  live.next_due_ms = 0;
  const db::Params after{db::Value(cursor)};
  db::ResultSet rows =
      co_await database_.query(statements_.rows + std::to_string(options_.batch), after);
  // The spec must be the one these rows were written under. Commit-driven passes do not read
  // the destinations, so a change may have committed since this spec was read: the version is
  // read after the rows, and if it is still the spec's, every row read committed before any
  // change to come. Otherwise nothing is delivered and the dispatcher re-reads first.
  if (!rows.empty()) {
    if (co_await destinations_version() != live.spec_version) {
      report.stale = true;
      co_return;
    }
  }
  // Progress is saved in one write job per kSaveEvery attempts, before a retry's wait, and
  // otherwise once save_delay has passed since the first unsaved one (so a trickle of single
  // events shares one job): the cursor and the attempts' log rows together. A crash before a
  // save sends those events again, which at least once allows.
  std::int64_t done_to = cursor;  // every row up to here is delivered, dead or not wanted
  auto note_progress = [&] {
    if (done_to <= cursor && live.unsaved_logs.empty()) return;
    live.unsaved_cursor = std::max(live.unsaved_cursor, done_to);
    if (live.save_due_ms.load() == 0) live.save_due_ms = now_ms() + options_.save_delay.count();
  };
  // The rows in order, each with whether this destination wants it. The wanted ones go out
  // up to max_in_flight() at a time (a broker's pipeline of publishes and confirms); a row not
  // wanted moves the cursor once every wanted row before it is done.
  struct Step {
    OutboxEvent event;
    bool wanted = false;
  };
  // Filled as far as the next call needs (a filter may be a statement per row; a destination
  // stuck on its first event must not pay for all of them); reserved, so `sending`'s pointers
  // into it stay valid.
  std::vector<Step> steps;
  steps.reserve(rows.size());
  const std::size_t in_flight = std::max<std::size_t>(live.destination->max_in_flight(), 1);
  std::vector<const OutboxEvent*> sending;
  std::vector<std::size_t> step_of;  // sending[k] is steps[step_of[k]]
  std::size_t next = 0;              // the first step not done
  while (next < rows.size()) {
    sending.clear();
    step_of.clear();
    for (std::size_t i = next; i < rows.size() && sending.size() < in_flight; ++i) {
      if (i == steps.size()) {
        Step step{event_from_row(rows[i]), false};
        step.wanted = co_await wanted(spec, step.event);
        steps.push_back(std::move(step));
      }
      if (!steps[i].wanted) continue;
      sending.push_back(&steps[i].event);
      step_of.push_back(i);
    }
    if (sending.empty()) {
      // Only rows it does not want are left (all read into `steps` by the loop above).
      for (; next < steps.size(); ++next) {
        done_to = steps[next].event.sequence;
        ++report.skipped;
      }
      break;
    }
    std::vector<DeliveryResult> results =
        deliver_many_traced(*live.destination, sending, spec, attempts + 1, options_.tracing);
    if (results.empty()) {
      // Invariant 4 of Destination broken: counted as a failed try of the first event, so the
      // loop cannot spin.
      results.push_back(DeliveryResult{DeliveryResult::Outcome::kRetry, 0,
                                       std::chrono::milliseconds(0), "no result"});
    }
    for (std::size_t k = 0; k < results.size() && k < sending.size(); ++k) {
      for (; next < step_of[k]; ++next) {  // not wanted, between the previous one and this
        done_to = steps[next].event.sequence;
        ++report.skipped;
      }
      const OutboxEvent& event = *sending[k];
      const DeliveryResult& result = results[k];
      // Only the first event of the call was tried before (`attempts`); the others are new.
      const int attempt = k == 0 ? attempts + 1 : 1;
      std::string status;
      bool done = true;
      switch (result.outcome) {
        case DeliveryResult::Outcome::kDelivered:
          status = "delivered";
          count_outcome(kDeliveredIndex);
          ++report.delivered;
          break;
        case DeliveryResult::Outcome::kReject:
          status = "rejected";  // dead-lettered: it would fail the same way again
          count_outcome(kRejectedIndex);
          ++report.failed;
          break;
        case DeliveryResult::Outcome::kRetry:
          ++report.failed;
          if (attempt >= spec.max_attempts) {
            status = "dead";
            count_outcome(kDeadIndex);
          } else {
            status = "retry";
            count_outcome(kRetryIndex);
            done = false;
          }
          break;
      }
      live.unsaved_logs.push_back(log_params(spec.id, event, status, result, attempt));
      if (!done) {
        // Saved before the wait: the attempts count and the next attempt's time must survive.
        // Events after it that a pipeline delivered anyway are sent again after it (at least
        // once; their first copies may have arrived before it: docs/brokers.md).
        const std::int64_t next_attempt_ms = now_ms() + backoff(attempt).count();
        co_await save_progress(spec.id, live, done_to, attempt, next_attempt_ms);
        live.next_due_ms = next_attempt_ms;
        co_return;  // later events of this destination wait behind this one
      }
      done_to = event.sequence;
      attempts = 0;
      ++next;
      if (live.unsaved_logs.size() >= kSaveEvery) {
        note_progress();
        if (!co_await save_progress(spec.id, live, done_to, 0, 0)) co_return;
        cursor = done_to;
      }
    }
    // Events left without a result (a connection lost mid-pipeline, or the default that stops
    // after a dead-lettered one) are sent again by the next call, from `next`.
  }
  note_progress();
  const std::int64_t due = live.save_due_ms.load();
  if (live.has_unsaved() && (save_now || (due > 0 && now_ms() >= due))) {
    co_await save_unsaved(spec.id, live);
  }
}

}  // namespace basalt::events
