#include "basalt/graphql/live_query_scheduler.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include <spdlog/spdlog.h>

#include "basalt/db/data_versions.hpp"

namespace basalt::graphql {

namespace json = boost::json;
namespace asio = boost::asio;

namespace {

constexpr std::string_view kLiveCannotRun =
    R"([{"message":"The operation could not run now.","extensions":{"code":"internal"}}])";

// Auth records named by events of one window beyond which every member with an auth record is
// treated as named (a bulk update of users): the inbox stays bounded.
constexpr std::size_t kLiveMaxPendingAuthRecords = 1024;

// The delivery pass's slice, and how many deliveries go between two reads of the clock.
constexpr std::chrono::microseconds kLiveDeliverySlice{1000};
constexpr std::size_t kLiveDeliveriesPerClockRead = 32;

bool live_result_has_errors(const std::string& body) {
  // A result's top-level "errors" key comes first when present (GraphqlService writes it so).
  return body.starts_with("{\"errors\":");
}

// The "errors" array of a result or a request error, as the payload of an error message.
std::string live_errors_of(const std::string& body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    if (const json::value* errors = parsed.get_object().if_contains("errors")) {
      return json::serialize(*errors);
    }
  }
  return R"([{"message":"Internal error.","extensions":{"code":"internal"}}])";
}

bool live_tables_meet(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  auto left = a.begin();
  auto right = b.begin();
  while (left != a.end() && right != b.end()) {
    if (*left == *right) return true;
    if (*left < *right) {
      ++left;
    } else {
      ++right;
    }
  }
  return false;
}

// The scheduler registry: one per (service, event bus, io_context), held weakly.
using LiveSchedulerKey = std::tuple<const void*, const void*, const void*>;

std::mutex& live_scheduler_registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::map<LiveSchedulerKey, std::weak_ptr<LiveQueryScheduler>>& live_scheduler_registry() {
  static std::map<LiveSchedulerKey, std::weak_ptr<LiveQueryScheduler>> schedulers;
  return schedulers;
}

}  // namespace

// What the event subscriber shares with the worker. Every field is guarded by `mutex`;
// `scheduler` and `executor` are set before the subscription and read-only after.
struct LiveQueryScheduler::Inbox {
  asio::any_io_executor executor;
  std::weak_ptr<LiveQueryScheduler> scheduler;
  std::mutex mutex;
  // What the members watch, published by the worker after each cycle (and on add).
  std::vector<std::string> watched_tables;  // sorted
  std::set<std::string> watched_auth;       // members' auth keys
  bool watch_all = false;                   // a member has not named its tables yet
  // Since the last take().
  std::set<std::string> tables;
  std::set<std::string> auth;
  bool auth_overflow = false;
  bool pending = false;
  bool posted = false;  // a wake-up is on its way to the worker

  struct Taken {
    std::vector<std::string> tables;  // sorted
    std::set<std::string> auth;
    bool auth_overflow = false;
  };

  void on_event(const records::RecordEvent& event) {
    const std::string table = db::table_key(event.collection_name);
    std::lock_guard lock(mutex);
    bool wanted = false;
    if (event.action != records::RecordAction::kCreate && !watched_auth.empty()) {
      const json::value* id = event.record.if_contains("id");
      if (id != nullptr && id->is_string()) {
        std::string key = event.collection_id + "/" + std::string(id->get_string());
        if (watched_auth.contains(key)) {
          if (auth.size() < kLiveMaxPendingAuthRecords) {
            auth.insert(std::move(key));
          } else {
            auth_overflow = true;
          }
          wanted = true;
        }
      }
    }
    if (watch_all || std::binary_search(watched_tables.begin(), watched_tables.end(), table)) {
      tables.insert(table);
      wanted = true;
    }
    if (!wanted) return;
    pending = true;
    if (posted) return;
    posted = true;
    asio::post(executor, [weak = scheduler] {
      if (std::shared_ptr<LiveQueryScheduler> owner = weak.lock()) owner->wake();
    });
  }

  bool has_pending() {
    std::lock_guard lock(mutex);
    return pending;
  }

  Taken take() {
    std::lock_guard lock(mutex);
    Taken taken{{tables.begin(), tables.end()}, std::move(auth), auth_overflow};
    tables.clear();
    auth.clear();
    auth_overflow = false;
    pending = false;
    posted = false;
    return taken;
  }
};

// Due members that share one run.
struct LiveQueryScheduler::Group {
  std::vector<std::shared_ptr<LiveMember>> members;
};

// The groups of one cycle, run by at most kMaxRunsInFlight runners.
struct LiveQueryScheduler::Batch {
  explicit Batch(asio::any_io_executor executor) : done(executor) {}
  std::vector<std::shared_ptr<Group>> groups;
  std::size_t next = 0;
  std::size_t active = 0;
  asio::steady_timer done;
};

LiveMember::LiveMember(LiveQueryContext context, LiveQueryRequest request, LiveQuery::Sink sink)
    : context(std::move(context)), request(std::move(request)), sink(std::move(sink)) {
  key_parts = live_run_key_parts(this->request, this->context.policy, this->context.info);
  if (this->context.recheck && !this->context.caller.is_guest()) {
    auth_key = this->context.caller.collection->id + "/" + std::string(this->context.caller.id());
  }
}

void LiveMember::finish(LiveOutput output, std::string payload) {
  if (stopped) return;
  LiveQuery::Sink last = std::move(sink);
  sink = nullptr;
  stopped = true;
  if (last) last(output, std::move(payload));
}

std::shared_ptr<LiveQueryScheduler> LiveQueryScheduler::for_worker(asio::any_io_executor executor,
                                                                   GraphqlService& service,
                                                                   records::EventBus& events) {
  const void* context = &asio::query(executor, asio::execution::context);
  const LiveSchedulerKey key{&service, &events, context};
  std::lock_guard lock(live_scheduler_registry_mutex());
  std::weak_ptr<LiveQueryScheduler>& slot = live_scheduler_registry()[key];
  if (std::shared_ptr<LiveQueryScheduler> found = slot.lock()) return found;
  auto scheduler = std::make_shared<LiveQueryScheduler>(executor, service, events, context);
  scheduler->inbox_->scheduler = scheduler;
  scheduler->subscription_ = events.subscribe(
      [inbox = scheduler->inbox_](const records::RecordEvent& event) { inbox->on_event(event); });
  slot = scheduler;
  return scheduler;
}

LiveQueryScheduler::LiveQueryScheduler(asio::any_io_executor executor, GraphqlService& service,
                                       records::EventBus& events, const void* registry_context)
    : executor_(executor),
      service_(service),
      events_(events),
      registry_context_(registry_context),
      inbox_(std::make_shared<Inbox>()),
      window_timer_(executor) {
  inbox_->executor = executor;
}

LiveQueryScheduler::~LiveQueryScheduler() {
  if (subscription_ != 0) events_.unsubscribe(subscription_);
  std::lock_guard lock(live_scheduler_registry_mutex());
  auto found =
      live_scheduler_registry().find(LiveSchedulerKey{&service_, &events_, registry_context_});
  // A scheduler made for the same worker after this one's last owner let go stays.
  if (found != live_scheduler_registry().end() && found->second.expired())
    live_scheduler_registry().erase(found);
}

void LiveQueryScheduler::add(const std::shared_ptr<LiveMember>& member) {
  auto [entry, inserted] =
      request_ids_.try_emplace(member->key_parts.request, next_request_id_, std::size_t{0});
  if (inserted) ++next_request_id_;
  ++entry->second.second;
  member->request_id = entry->second.first;
  member->due = true;
  members_.push_back(member);
  if (members_.size() == 1 || member->context.coalesce < window_) {
    window_ = member->context.coalesce;
  }
  {
    // Events from now on wake the cycle: the member's first run must not miss a commit made
    // while it runs (it is due again if the commit names a table that run read).
    std::lock_guard lock(inbox_->mutex);
    inbox_->watch_all = true;
    if (!member->auth_key.empty()) inbox_->watched_auth.insert(member->auth_key);
  }
  wake();
}

void LiveQueryScheduler::release_request(const LiveMember& member) {
  auto found = request_ids_.find(member.key_parts.request);
  if (found != request_ids_.end() && --found->second.second == 0) request_ids_.erase(found);
}

void LiveQueryScheduler::remove(const std::shared_ptr<LiveMember>& member) {
  auto found = std::find(members_.begin(), members_.end(), member);
  if (found == members_.end()) return;
  release_request(**found);
  *found = std::move(members_.back());
  members_.pop_back();
}

void LiveQueryScheduler::wake() {
  if (running_) return;  // the cycle looks at the inbox again before it ends
  running_ = true;
  std::shared_ptr<LiveQueryScheduler> self = shared_from_this();
  asio::co_spawn(executor_, cycle(self), asio::detached);
}

asio::awaitable<void> LiveQueryScheduler::cycle(std::shared_ptr<LiveQueryScheduler> self) {
  // `self` keeps the scheduler alive until the cycle ends, whatever its LiveQuerys do.
  const LiveQueryScheduler* const keep = self.get();
  (void)keep;
  boost::system::error_code ec;
  while (true) {
    const bool events = inbox_->has_pending() || retry_;
    const bool newcomers = std::any_of(members_.begin(), members_.end(), [](const auto& member) {
      return member->due && member->first && !member->stopped;
    });
    if (!events && !newcomers) break;
    if (events) {
      // The coalescing window: commits that land meanwhile ride in this cycle.
      window_timer_.expires_after(window_);
      co_await window_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    retry_ = false;
    std::vector<std::shared_ptr<LiveMember>> due = take_due();
    try {
      if (!due.empty()) {
        co_await recheck(due);
        std::vector<std::shared_ptr<Group>> groups = group(due);
        co_await run_groups(std::move(groups));
      }
    } catch (const std::exception& error) {
      // Runs and re-checks turn their own failures into each member's error; what escapes is
      // the cycle's own (e.g. out of memory): its members end, the scheduler goes on.
      spdlog::error("graphql: a live-query cycle failed: {}", error.what());
      for (const std::shared_ptr<LiveMember>& member : due) {
        member->finish(LiveOutput::kError, std::string(kLiveCannotRun));
      }
    }
    prune_and_publish();
  }
  running_ = false;
}

std::vector<std::shared_ptr<LiveMember>> LiveQueryScheduler::take_due() {
  const Inbox::Taken taken = inbox_->take();
  std::vector<std::shared_ptr<LiveMember>> due;
  for (const std::shared_ptr<LiveMember>& member : members_) {
    if (member->stopped) continue;
    const bool named = member->due ||
                       (member->tables && live_tables_meet(*member->tables, taken.tables)) ||
                       (!member->auth_key.empty() &&
                        (taken.auth_overflow || taken.auth.contains(member->auth_key)));
    if (!named) continue;
    member->due = false;
    due.push_back(member);
  }
  return due;
}

asio::awaitable<void> LiveQueryScheduler::recheck(std::vector<std::shared_ptr<LiveMember>>& due) {
  // Each subscriber's own check (its own token): answered from the worker's auth cache while
  // its record is unchanged. A revoked one ends there (its transport may stop others).
  for (const std::shared_ptr<LiveMember>& member : due) {
    if (member->stopped || !member->context.recheck) continue;
    if (member->context.recheck_held) {
      if (std::optional<LiveCaller> held = member->context.recheck_held()) {
        member->context.caller = held->caller;
        member->context.keep_alive = std::move(held->keep_alive);
        continue;
      }
    }
    std::optional<LiveCaller> now;
    bool failed = false;
    try {
      now = co_await member->context.recheck();
    } catch (const std::exception&) {
      failed = true;  // e.g. the read pool refusing the record's read: this operation ends
    }
    if (member->stopped) continue;
    if (failed) {
      member->finish(LiveOutput::kError, std::string(kLiveCannotRun));
    } else if (!now) {
      member->finish(LiveOutput::kRevoked, {});
    } else {
      member->context.caller = now->caller;
      member->context.keep_alive = std::move(now->keep_alive);
    }
  }
  std::erase_if(due, [](const auto& member) { return member->stopped; });
}

std::vector<std::shared_ptr<LiveQueryScheduler::Group>> LiveQueryScheduler::group(
    const std::vector<std::shared_ptr<LiveMember>>& due) {
  const std::shared_ptr<const collections::Catalog> catalog = service_.catalog();
  if (catalog->version() != catalog_version_) {
    reads_ = rule_request_reads(*catalog);
    catalog_version_ = catalog->version();
  }
  std::vector<std::shared_ptr<Group>> groups;
  // Keys are views of the members' cached keys: `due` holds the members for this call.
  std::unordered_map<std::string_view, std::size_t> by_key;
  for (const std::shared_ptr<LiveMember>& member : due) {
    if (member->run_key.empty() || member->run_key_catalog != catalog_version_) {
      member->run_key =
          live_run_key(member->request_id, member->key_parts, member->context.caller, reads_);
      member->run_key_catalog = catalog_version_;
    }
    auto [found, inserted] = by_key.try_emplace(member->run_key, groups.size());
    if (!inserted) {
      // Same auth record id, but re-checked at different moments: its fields (what
      // `@request.auth.*` reads) must match too, else the member runs on its own.
      const records::Caller& leader = groups[found->second]->members.front()->context.caller;
      const records::Caller& caller = member->context.caller;
      const bool same_record =
          leader.record == caller.record || (leader.record != nullptr && caller.record != nullptr &&
                                             *leader.record == *caller.record);
      if (same_record) {
        groups[found->second]->members.push_back(member);
        continue;
      }
    }
    auto alone = std::make_shared<Group>();
    alone->members.push_back(member);
    if (inserted) found->second = groups.size();
    groups.push_back(std::move(alone));
  }
  return groups;
}

asio::awaitable<void> LiveQueryScheduler::run_groups(std::vector<std::shared_ptr<Group>> groups) {
  if (groups.size() == 1) {
    co_await run_group(groups.front());
    co_return;
  }
  auto batch = std::make_shared<Batch>(executor_);
  batch->groups = std::move(groups);
  const std::size_t runners = std::min(kMaxRunsInFlight, batch->groups.size());
  batch->active = runners;
  std::shared_ptr<LiveQueryScheduler> self = shared_from_this();
  for (std::size_t i = 0; i < runners; ++i) {
    asio::co_spawn(executor_, batch_runner(self, batch), asio::detached);
  }
  boost::system::error_code ec;
  while (batch->active > 0) {
    batch->done.expires_at(asio::steady_timer::time_point::max());
    co_await batch->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> LiveQueryScheduler::batch_runner(std::shared_ptr<LiveQueryScheduler> self,
                                                       std::shared_ptr<Batch> batch) {
  while (batch->next < batch->groups.size()) {
    const std::shared_ptr<Group> next = batch->groups[batch->next++];
    try {
      co_await self->run_group(next);
    } catch (const std::exception&) {
      for (const std::shared_ptr<LiveMember>& member : next->members) {
        member->finish(LiveOutput::kError, std::string(kLiveCannotRun));
      }
    }
  }
  if (--batch->active == 0) batch->done.cancel();
}

asio::awaitable<void> LiveQueryScheduler::run_group(const std::shared_ptr<Group>& group) {
  auto leader = std::find_if(group->members.begin(), group->members.end(),
                             [](const auto& member) { return !member->stopped; });
  if (leader == group->members.end()) co_return;
  // The leader's caller and what it borrows, kept for the run whatever happens to the leader.
  const records::Caller caller = (*leader)->context.caller;
  const std::shared_ptr<const void> keep_alive = (*leader)->context.keep_alive;
  const LiveQueryRequest& request = (*leader)->request;
  const std::shared_ptr<LiveMember> owner = *leader;  // keeps `request` alive
  std::vector<std::string> tables;
  GraphqlRequest graphql_request;
  graphql_request.document = request.document;
  graphql_request.variables = request.variables ? &*request.variables : nullptr;
  graphql_request.operation_name = request.operation_name;
  graphql_request.allow_subscription = true;
  graphql_request.over_get = request.over_get;
  graphql_request.read_tables = &tables;
  query::RequestInfo info = owner->context.info;
  const RequestPolicy policy = owner->context.policy;
  GraphqlAnswer answer;
  try {
    answer = co_await service_.execute(caller, graphql_request, std::move(info), policy);
  } catch (const std::exception&) {
    // execute() turns every failure of a field into an error; what escapes is the request
    // itself (e.g. the read pool refusing work): the operations end, the connections stay.
    for (const std::shared_ptr<LiveMember>& member : group->members) {
      member->finish(LiveOutput::kError, std::string(kLiveCannotRun));
    }
    co_return;
  }
  ++runs_;
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  const auto body = std::make_shared<const std::string>(std::move(answer.body));
  const auto read = std::make_shared<const std::vector<std::string>>(std::move(tables));
  // The delivery pass (each member's sink: a transport's send of the shared frame) in slices of
  // about kLiveDeliverySlice, giving the worker back between slices: a request that arrived
  // meanwhile (the write that caused this run, answering) waits one slice, not the whole
  // fan-out. A member stopped during a pause is skipped by deliver().
  auto slice_began = std::chrono::steady_clock::now();
  std::size_t since_clock = 0;
  for (const std::shared_ptr<LiveMember>& member : group->members) {
    deliver(*member, answer, body, read);
    if (++since_clock < kLiveDeliveriesPerClockRead) continue;
    since_clock = 0;
    if (std::chrono::steady_clock::now() - slice_began < kLiveDeliverySlice) continue;
    co_await asio::post(executor_, asio::use_awaitable);
    slice_began = std::chrono::steady_clock::now();
  }
}

void LiveQueryScheduler::deliver(LiveMember& member, const GraphqlAnswer& answer,
                                 const std::shared_ptr<const std::string>& body,
                                 const std::shared_ptr<const std::vector<std::string>>& tables) {
  if (member.stopped) return;
  ++member.runs;
  if (answer.kind != GraphqlAnswer::Kind::kExecuted) {
    member.finish(LiveOutput::kError, live_errors_of(*body));
    return;
  }
  if (!answer.subscription) {
    member.sink(LiveOutput::kNext, LivePayload(body));
    member.finish(LiveOutput::kComplete, {});
    return;
  }
  // The read pool was full (503 on a re-run): nothing is sent and the operation stays; it runs
  // again after the next window, so a crowd of subscribers delays their updates instead of
  // ending them. The tables are kept from the last complete run (a refused statement named
  // none).
  if (!member.first && answer.saturated) {
    member.due = true;
    retry_ = true;
    return;
  }
  if (!member.first && live_result_has_errors(*body)) {
    member.finish(LiveOutput::kError, live_errors_of(*body));
    return;
  }
  member.tables = tables;
  const bool changed =
      member.first || !member.last_sent || (member.last_sent != body && *member.last_sent != *body);
  member.first = false;
  if (!changed) return;
  member.last_sent = body;
  member.sink(LiveOutput::kNext, LivePayload(body));
}

void LiveQueryScheduler::prune_and_publish() {
  std::vector<std::string> tables;
  std::set<std::string> auth;
  bool watch_all = false;
  std::erase_if(members_, [this](const std::shared_ptr<LiveMember>& member) {
    if (member->stopped) release_request(*member);
    return member->stopped;
  });
  std::set<const std::vector<std::string>*> seen;  // a run's list once, however many members
  for (const std::shared_ptr<LiveMember>& member : members_) {
    if (member->tables && seen.insert(member->tables.get()).second) {
      tables.insert(tables.end(), member->tables->begin(), member->tables->end());
    }
    if (!member->auth_key.empty()) auth.insert(member->auth_key);
    watch_all = watch_all || member->first;
  }
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::lock_guard lock(inbox_->mutex);
  inbox_->watched_tables = std::move(tables);
  inbox_->watched_auth = std::move(auth);
  inbox_->watch_all = watch_all;
}

}  // namespace basalt::graphql
