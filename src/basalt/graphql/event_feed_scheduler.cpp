#include "basalt/graphql/event_feed_scheduler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "basalt/graphql/live_query_scheduler.hpp"

namespace basalt::graphql {

namespace asio = boost::asio;
using FeedClock = std::chrono::steady_clock;

namespace {

constexpr std::string_view kFeedCannotRun =
    R"([{"message":"The operation could not run now.","extensions":{"code":"internal"}}])";

// Auth records named in one take beyond which every member with an auth record is treated as
// named (a bulk update of users): the inbox stays bounded.
constexpr std::size_t kFeedMaxPendingAuthRecords = 1024;

std::string feed_fell_behind(std::size_t max_pending) {
  return R"([{"message":"The subscriber fell behind: more than )" + std::to_string(max_pending) +
         R"( record events waited for it. Subscribe again to continue.",)"
         R"("extensions":{"code":"limit-exceeded"}}])";
}

// The feed scheduler registry: one per (service, io_context), held weakly.
using FeedSchedulerKey = std::pair<const void*, const void*>;

std::mutex& feed_scheduler_registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::map<FeedSchedulerKey, std::weak_ptr<EventFeedScheduler>>& feed_scheduler_registry() {
  static std::map<FeedSchedulerKey, std::weak_ptr<EventFeedScheduler>> schedulers;
  return schedulers;
}

}  // namespace

// What the hub listener shares with the worker. Every field is guarded by `mutex`;
// `scheduler` and `executor` are set before listening and read-only after.
struct EventFeedScheduler::Inbox {
  asio::any_io_executor executor;
  std::weak_ptr<EventFeedScheduler> scheduler;
  std::mutex mutex;
  // What the members watch: published by the worker on add() and after each cycle.
  std::set<std::string> watched_collections;
  std::set<std::string> watched_auth;
  std::size_t capacity = kMaxPendingEvents;  // the largest max_pending of the members
  // Since the last take().
  std::uint64_t next_seq = 0;
  std::vector<SequencedEvent> events;
  std::map<std::string, std::uint64_t> dropped;  // collection id -> first dropped seq
  std::set<std::string> auth;
  bool auth_overflow = false;
  bool posted = false;  // a wake-up is on its way to the worker

  struct Taken {
    std::vector<SequencedEvent> events;  // in commit order
    std::map<std::string, std::uint64_t> dropped;
    std::set<std::string> auth;
    bool auth_overflow = false;
  };

  void on_event(const std::shared_ptr<const records::RecordEvent>& event) {
    std::lock_guard lock(mutex);
    bool wanted = false;
    if (event->action != records::RecordAction::kCreate && !watched_auth.empty()) {
      const boost::json::value* id = event->record.if_contains("id");
      if (id != nullptr && id->is_string()) {
        std::string key = event->collection_id + "/" + std::string(id->get_string());
        if (watched_auth.contains(key)) {
          if (auth.size() < kFeedMaxPendingAuthRecords) {
            auth.insert(std::move(key));
          } else {
            auth_overflow = true;
          }
          wanted = true;
        }
      }
    }
    if (watched_collections.contains(event->collection_id)) {
      const std::uint64_t seq = next_seq++;
      if (events.size() < capacity) {
        events.push_back({seq, event});
      } else {
        dropped.try_emplace(event->collection_id, seq);
      }
      wanted = true;
    }
    if (!wanted || posted) return;
    posted = true;
    asio::post(executor, [weak = scheduler] {
      if (std::shared_ptr<EventFeedScheduler> owner = weak.lock()) owner->wake();
    });
  }

  bool has_pending() {
    std::lock_guard lock(mutex);
    return !events.empty() || !dropped.empty() || !auth.empty() || auth_overflow;
  }

  Taken take() {
    std::lock_guard lock(mutex);
    Taken taken{std::move(events), std::move(dropped), std::move(auth), auth_overflow};
    events.clear();
    dropped.clear();
    auth.clear();
    auth_overflow = false;
    posted = false;
    return taken;
  }
};

// A member due in this cycle and the events it is to receive.
struct EventFeedScheduler::Due {
  std::shared_ptr<FeedMember> member;
  std::vector<SequencedEvent> batch;
  bool alone = false;  // carries a refused batch: shares with no one
};

// Due members that share one run of the same batch.
struct EventFeedScheduler::Group {
  std::vector<std::shared_ptr<FeedMember>> members;
  std::vector<SequencedEvent> batch;
};

// The groups of one cycle, run by at most kMaxRunsInFlight runners.
struct EventFeedScheduler::Batch {
  explicit Batch(asio::any_io_executor executor) : done(executor) {}
  std::vector<std::shared_ptr<Group>> groups;
  std::size_t next = 0;
  std::size_t active = 0;
  asio::steady_timer done;
};

FeedMember::FeedMember(EventFeedContext context, LiveQueryRequest request, LiveQuery::Sink sink)
    : context(std::move(context)), request(std::move(request)), sink(std::move(sink)) {
  key_parts = live_run_key_parts(this->request, this->context.policy, this->context.info);
  if (this->context.recheck && !this->context.caller.is_guest()) {
    auth_key = this->context.caller.collection->id + "/" + std::string(this->context.caller.id());
  }
}

void FeedMember::finish(LiveOutput output, std::string payload) {
  if (stopped) return;
  LiveQuery::Sink last = std::move(sink);
  sink = nullptr;
  stopped = true;
  if (last) last(output, std::move(payload));
}

std::shared_ptr<EventFeedScheduler> EventFeedScheduler::for_worker(
    asio::any_io_executor executor, GraphqlService& service, const RecordEventSource& source) {
  const void* context = &asio::query(executor, asio::execution::context);
  const FeedSchedulerKey key{&service, context};
  std::lock_guard lock(feed_scheduler_registry_mutex());
  std::weak_ptr<EventFeedScheduler>& slot = feed_scheduler_registry()[key];
  if (std::shared_ptr<EventFeedScheduler> found = slot.lock()) return found;
  auto scheduler = std::make_shared<EventFeedScheduler>(executor, service, source, context);
  scheduler->inbox_->scheduler = scheduler;
  scheduler->listener_ = scheduler->source_.listen(
      [inbox = scheduler->inbox_](const std::shared_ptr<const records::RecordEvent>& event) {
        inbox->on_event(event);
      });
  slot = scheduler;
  return scheduler;
}

EventFeedScheduler::EventFeedScheduler(asio::any_io_executor executor, GraphqlService& service,
                                       RecordEventSource source, const void* registry_context)
    : executor_(executor),
      service_(service),
      source_(std::move(source)),
      registry_context_(registry_context),
      inbox_(std::make_shared<Inbox>()),
      retry_timer_(executor) {
  inbox_->executor = executor;
}

EventFeedScheduler::~EventFeedScheduler() {
  if (listener_ != 0) source_.unlisten(listener_);
  std::lock_guard lock(feed_scheduler_registry_mutex());
  auto found = feed_scheduler_registry().find(FeedSchedulerKey{&service_, registry_context_});
  // A scheduler made for the same worker after this one's last owner let go stays.
  if (found != feed_scheduler_registry().end() && found->second.expired())
    feed_scheduler_registry().erase(found);
}

void EventFeedScheduler::add(const std::shared_ptr<FeedMember>& member) {
  auto [entry, inserted] =
      request_ids_.try_emplace(member->key_parts.request, next_request_id_, std::size_t{0});
  if (inserted) ++next_request_id_;
  ++entry->second.second;
  member->request_id = entry->second.first;
  members_.push_back(member);
  {
    // From here on every event of its collection is numbered at or after its start.
    std::lock_guard lock(inbox_->mutex);
    member->start_seq = inbox_->next_seq;
    inbox_->watched_collections.insert(member->context.collection_id);
    if (!member->auth_key.empty()) inbox_->watched_auth.insert(member->auth_key);
    inbox_->capacity = std::max(inbox_->capacity, member->context.max_pending);
  }
  wake();
}

void EventFeedScheduler::release_request(const FeedMember& member) {
  auto found = request_ids_.find(member.key_parts.request);
  if (found != request_ids_.end() && --found->second.second == 0) request_ids_.erase(found);
}

void EventFeedScheduler::remove(const std::shared_ptr<FeedMember>& member) {
  auto found = std::find(members_.begin(), members_.end(), member);
  if (found == members_.end()) return;
  release_request(**found);
  *found = std::move(members_.back());
  members_.pop_back();
}

void EventFeedScheduler::wake() {
  if (running_) {
    retry_timer_.cancel();  // a cycle waiting for a retry looks at the inbox now
    return;
  }
  running_ = true;
  std::shared_ptr<EventFeedScheduler> self = shared_from_this();
  asio::co_spawn(executor_, cycle(self), asio::detached);
}

FeedClock::time_point EventFeedScheduler::next_retry() const {
  FeedClock::time_point next = FeedClock::time_point::max();
  for (const std::shared_ptr<FeedMember>& member : members_) {
    if (!member->stopped && !member->backlog.empty()) next = std::min(next, member->not_before);
  }
  return next;
}

asio::awaitable<void> EventFeedScheduler::cycle(std::shared_ptr<EventFeedScheduler> self) {
  // `self` keeps the scheduler alive until the cycle ends, whatever its feeds do.
  (void)self;
  boost::system::error_code ec;
  while (true) {
    const FeedClock::time_point now = FeedClock::now();
    const bool events = inbox_->has_pending();
    const bool newcomers = std::any_of(members_.begin(), members_.end(), [](const auto& member) {
      return member->first && !member->stopped;
    });
    const FeedClock::time_point retry = next_retry();
    if (!events && !newcomers && retry > now) {
      if (retry == FeedClock::time_point::max()) break;
      retry_timer_.expires_at(retry);  // wake() cancels it when events come first
      co_await retry_timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    std::vector<Due> due = take_due(now);
    try {
      if (!due.empty()) {
        co_await recheck(due);
        std::vector<std::shared_ptr<Group>> groups = group(std::move(due));
        co_await run_groups(std::move(groups));
      }
    } catch (const std::exception& error) {
      // Runs and re-checks turn their own failures into each member's error; what escapes is
      // the cycle's own (e.g. out of memory): its members end, the scheduler goes on.
      spdlog::error("graphql: a change-feed cycle failed: {}", error.what());
      for (const Due& entry : due) {
        if (entry.member) entry.member->finish(LiveOutput::kError, std::string(kFeedCannotRun));
      }
    }
    prune_and_publish();
  }
  running_ = false;
}

std::vector<EventFeedScheduler::Due> EventFeedScheduler::take_due(FeedClock::time_point now) {
  Inbox::Taken taken = inbox_->take();
  std::vector<Due> due;
  // Ended after the loop: a sink may stop other feeds, which edits members_.
  std::vector<std::shared_ptr<FeedMember>> behind;
  for (const std::shared_ptr<FeedMember>& member : members_) {
    if (member->stopped) continue;
    const std::string& collection = member->context.collection_id;
    const auto dropped = taken.dropped.find(collection);
    if (dropped != taken.dropped.end() && dropped->second >= member->start_seq) {
      behind.push_back(member);
      continue;
    }
    std::vector<SequencedEvent> fresh;
    for (const SequencedEvent& event : taken.events) {
      if (event.seq >= member->start_seq && event.event->collection_id == collection) {
        fresh.push_back(event);
      }
    }
    if (member->backlog.size() + fresh.size() > member->context.max_pending) {
      behind.push_back(member);
      continue;
    }
    const bool named =
        !member->auth_key.empty() && (taken.auth_overflow || taken.auth.contains(member->auth_key));
    Due entry{member, {}, !member->backlog.empty()};
    if (entry.alone) {
      member->backlog.insert(member->backlog.end(), fresh.begin(), fresh.end());
      if (member->not_before > now) continue;  // still waiting: its new events wait with it
      entry.batch = std::move(member->backlog);
      member->backlog.clear();
    } else {
      entry.batch = std::move(fresh);
    }
    if (!member->first && entry.batch.empty() && !named) continue;
    due.push_back(std::move(entry));
  }
  for (const std::shared_ptr<FeedMember>& member : behind) {
    member->finish(LiveOutput::kError, feed_fell_behind(member->context.max_pending));
  }
  return due;
}

asio::awaitable<void> EventFeedScheduler::recheck(std::vector<Due>& due) {
  // Each subscriber's own check (its own token): answered from the worker's auth cache while
  // its record is unchanged. A revoked one ends there (its transport may stop others).
  for (Due& entry : due) {
    FeedMember& member = *entry.member;
    if (member.stopped || !member.context.recheck) continue;
    std::optional<LiveCaller> now;
    bool failed = false;
    try {
      now = co_await member.context.recheck();
    } catch (const std::exception&) {
      failed = true;  // e.g. the read pool refusing the record's read: this operation ends
    }
    if (member.stopped) continue;
    if (failed) {
      member.finish(LiveOutput::kError, std::string(kFeedCannotRun));
    } else if (!now) {
      member.finish(LiveOutput::kRevoked, {});
    } else {
      member.context.caller = now->caller;
      member.context.keep_alive = std::move(now->keep_alive);
    }
  }
  // A member woken only by its own auth record's event has nothing to run once re-checked.
  std::erase_if(due, [](const Due& entry) {
    return entry.member->stopped || (!entry.member->first && entry.batch.empty());
  });
}

std::vector<std::shared_ptr<EventFeedScheduler::Group>> EventFeedScheduler::group(
    std::vector<Due> due) {
  const std::shared_ptr<const collections::Catalog> catalog = service_.catalog();
  if (catalog->version() != catalog_version_) {
    reads_ = rule_request_reads(*catalog);
    catalog_version_ = catalog->version();
  }
  std::vector<std::shared_ptr<Group>> groups;
  std::unordered_map<std::string, std::size_t> by_key;
  for (Due& entry : due) {
    FeedMember& member = *entry.member;
    if (!entry.alone) {
      // Batches of one take are equal when they start at the same event and are as long: both
      // are the events of the same collection from that event on.
      std::string key =
          live_run_key(member.request_id, member.key_parts, member.context.caller, reads_);
      key += '|';
      key += entry.batch.empty() ? std::string("-") : std::to_string(entry.batch.front().seq);
      key += '+';
      key += std::to_string(entry.batch.size());
      auto [found, inserted] = by_key.try_emplace(std::move(key), groups.size());
      if (!inserted) {
        // Same auth record id, but re-checked at different moments: its fields (what
        // `@request.auth.*` reads) must match too, else the member runs on its own.
        const records::Caller& leader = groups[found->second]->members.front()->context.caller;
        const records::Caller& caller = member.context.caller;
        const bool same_record = leader.record == caller.record ||
                                 (leader.record != nullptr && caller.record != nullptr &&
                                  *leader.record == *caller.record);
        if (same_record) {
          groups[found->second]->members.push_back(entry.member);
          continue;
        }
      }
    }
    auto alone = std::make_shared<Group>();
    alone->members.push_back(entry.member);
    alone->batch = std::move(entry.batch);
    groups.push_back(std::move(alone));
  }
  return groups;
}

asio::awaitable<void> EventFeedScheduler::run_groups(std::vector<std::shared_ptr<Group>> groups) {
  if (groups.size() == 1) {
    co_await run_group(groups.front());
    co_return;
  }
  auto batch = std::make_shared<Batch>(executor_);
  batch->groups = std::move(groups);
  const std::size_t runners = std::min(kMaxRunsInFlight, batch->groups.size());
  batch->active = runners;
  std::shared_ptr<EventFeedScheduler> self = shared_from_this();
  for (std::size_t i = 0; i < runners; ++i) {
    asio::co_spawn(executor_, batch_runner(self, batch), asio::detached);
  }
  boost::system::error_code ec;
  while (batch->active > 0) {
    batch->done.expires_at(asio::steady_timer::time_point::max());
    co_await batch->done.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

asio::awaitable<void> EventFeedScheduler::batch_runner(std::shared_ptr<EventFeedScheduler> self,
                                                       std::shared_ptr<Batch> batch) {
  while (batch->next < batch->groups.size()) {
    const std::shared_ptr<Group> next = batch->groups[batch->next++];
    try {
      co_await self->run_group(next);
    } catch (const std::exception&) {
      for (const std::shared_ptr<FeedMember>& member : next->members) {
        member->finish(LiveOutput::kError, std::string(kFeedCannotRun));
      }
    }
  }
  if (--batch->active == 0) batch->done.cancel();
}

asio::awaitable<void> EventFeedScheduler::run_group(const std::shared_ptr<Group>& group) {
  auto leader = std::find_if(group->members.begin(), group->members.end(),
                             [](const auto& member) { return !member->stopped; });
  if (leader == group->members.end()) co_return;
  // The leader's caller and what it borrows, kept for the run whatever happens to the leader.
  const std::shared_ptr<FeedMember> owner = *leader;
  const records::Caller caller = owner->context.caller;
  const std::shared_ptr<const void> keep_alive = owner->context.keep_alive;
  GraphqlRequest graphql_request;
  graphql_request.document = owner->request.document;
  graphql_request.variables = owner->request.variables ? &*owner->request.variables : nullptr;
  graphql_request.operation_name = owner->request.operation_name;
  graphql_request.allow_subscription = true;
  graphql_request.over_get = owner->request.over_get;
  query::RequestInfo info = owner->context.info;
  const RequestPolicy policy = owner->context.policy;
  std::vector<std::shared_ptr<const records::RecordEvent>> events;
  events.reserve(group->batch.size());
  for (const SequencedEvent& event : group->batch) events.push_back(event.event);
  EventBatchAnswer answer;
  try {
    answer = co_await service_.execute_events(caller, graphql_request, std::move(info), policy,
                                              std::move(events));
  } catch (const std::exception&) {
    for (const std::shared_ptr<FeedMember>& member : group->members) {
      member->finish(LiveOutput::kError, std::string(kFeedCannotRun));
    }
    co_return;
  }
  ++runs_;
  // Each result once for the whole group (LivePayload): members share the text, not copies.
  std::vector<LivePayload> results;
  if (answer.kind != EventBatchAnswer::Kind::kFailed) {
    results.reserve(answer.results.size());
    for (std::string& result : answer.results) {
      results.emplace_back(std::make_shared<const std::string>(std::move(result)));
    }
  }
  for (const std::shared_ptr<FeedMember>& member : group->members) {
    if (member->stopped) continue;
    ++member->batches;
    const bool first = member->first;
    member->first = false;
    if (answer.kind == EventBatchAnswer::Kind::kFailed) {
      if (first || !answer.saturated) {
        member->finish(LiveOutput::kError, answer.errors);
        continue;
      }
      // The read pool was full: the same events run again after a pause.
      member->backlog = group->batch;
      member->not_before = FeedClock::now() + member->context.retry_after;
      continue;
    }
    for (const LivePayload& result : results) {
      if (member->stopped || !member->sink) break;
      member->sink(LiveOutput::kNext, result);  // the sink may stop this or another member
    }
  }
}

void EventFeedScheduler::prune_and_publish() {
  std::set<std::string> collections;
  std::set<std::string> auth;
  std::size_t capacity = 0;
  std::erase_if(members_, [this](const std::shared_ptr<FeedMember>& member) {
    if (member->stopped) release_request(*member);
    return member->stopped;
  });
  for (const std::shared_ptr<FeedMember>& member : members_) {
    collections.insert(member->context.collection_id);
    if (!member->auth_key.empty()) auth.insert(member->auth_key);
    capacity = std::max(capacity, member->context.max_pending);
  }
  std::lock_guard lock(inbox_->mutex);
  inbox_->watched_collections = std::move(collections);
  inbox_->watched_auth = std::move(auth);
  inbox_->capacity = capacity;
}

}  // namespace basalt::graphql
