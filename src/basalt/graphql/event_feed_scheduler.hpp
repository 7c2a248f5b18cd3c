// EventFeedScheduler: the change feeds (`<c>_events`) of one worker, run together so that
// subscribers whose batches are provably the same share one statement (docs/graphql.md,
// "Change feeds", "Shared batches").
//
//   the realtime hub (one listener per worker, not per feed), on its thread: an event of a
//   collection some member watches, or naming a member's own auth record, is queued with a
//   sequence number (a shared pointer, no copy); ONE wake-up is posted
//     -> on the worker, a cycle: the queue taken whole; each member's batch is the events of its
//        collection numbered at or after its start (a member never receives what committed
//        before it subscribed), plus what a refused batch left it
//     -> each due member re-checked on its own (its own token; a revoked one ends with kRevoked)
//     -> due members grouped by their run key (live_run_key.hpp: document, operation,
//        variables, policy, the caller as the rules see it - the same auth record with the same
//        fields) and by their batch (the same first event and length of the same take; a member
//        carrying a refused batch runs alone)
//     -> ONE GraphqlService::execute_events per group (at most kMaxRunsInFlight
//     (live_query_scheduler.hpp) at a time), its
//        results serialized once and handed to every member, in commit order.
//
// No coalescing window: a cycle starts as soon as the worker takes the wake-up, and whatever
// commits while it runs rides in the next one, so under load the batches grow instead of the
// statements multiplying.
//
// Bounds: at most the largest `max_pending` of the members wait in the queue (an event beyond
// it is dropped and every member of its collection that should have had it ends with
// limit-exceeded); a member whose batch exceeds its own `max_pending` ends likewise.
//
// Ownership and threads: one scheduler per (GraphqlService, worker io_context), held weakly by
// a process-wide registry and strongly by its feeds, so it exists while its worker has feeds.
// It listens through the first feed's RecordEventSource: every source given for one service
// must deliver the same events (the service's realtime hub). Everything but the inbox belongs
// to the worker's thread; the inbox is shared with the hub's thread under its mutex.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "basalt/graphql/live_run_key.hpp"
#include "basalt/graphql/subscription_event_feed.hpp"

namespace basalt::graphql {

// A record event and its place in the worker's queue.
struct SequencedEvent {
  std::uint64_t seq = 0;
  std::shared_ptr<const records::RecordEvent> event;
};

// One feed's state. Worker thread only.
struct FeedMember {
  EventFeedContext context;
  LiveQueryRequest request;
  LiveQuery::Sink sink;
  LiveRunKeyParts key_parts;
  std::uint64_t request_id = 0;  // interned key_parts.request (the scheduler's)
  std::string auth_key;          // "<collection id>/<record id>" with a recheck, else ""
  std::uint64_t start_seq = 0;   // the first event it may receive
  // A batch the read pool refused (503), run again not before `not_before`; events of its
  // collection that arrive meanwhile join it.
  std::vector<SequencedEvent> backlog;
  std::chrono::steady_clock::time_point not_before{};
  bool first = true;  // its first (checking) run is still to come
  bool stopped = false;
  std::uint64_t batches = 0;  // batches whose result it received (the first included)

  FeedMember(EventFeedContext context, LiveQueryRequest request, LiveQuery::Sink sink);
  // The last sink call (kError, kRevoked); none after it, nor after stop().
  void finish(LiveOutput output, std::string payload);
};

class EventFeedScheduler : public std::enable_shared_from_this<EventFeedScheduler> {
 public:
  // The scheduler of `executor`'s io_context for this service (created, and listening to
  // `source`, on first use). Call on that worker's thread.
  static std::shared_ptr<EventFeedScheduler> for_worker(boost::asio::any_io_executor executor,
                                                        GraphqlService& service,
                                                        const RecordEventSource& source);

  // Both on the worker's thread. After add() returns, every event the hub delivers reaches the
  // member; its first run is scheduled.
  void add(const std::shared_ptr<FeedMember>& member);
  void remove(const std::shared_ptr<FeedMember>& member);

  // Statements' worth of work: execute_events calls made (a shared one once), for tests and docs.
  std::uint64_t runs() const noexcept { return runs_; }

  struct Inbox;  // internal: shared with the hub listener
  struct Due;
  struct Group;
  struct Batch;
  EventFeedScheduler(boost::asio::any_io_executor executor, GraphqlService& service,
                     RecordEventSource source, const void* registry_context);
  ~EventFeedScheduler();

 private:
  void wake();
  boost::asio::awaitable<void> cycle(std::shared_ptr<EventFeedScheduler> self);
  std::vector<Due> take_due(std::chrono::steady_clock::time_point now);
  boost::asio::awaitable<void> recheck(std::vector<Due>& due);
  std::vector<std::shared_ptr<Group>> group(std::vector<Due> due);
  boost::asio::awaitable<void> run_groups(std::vector<std::shared_ptr<Group>> groups);
  boost::asio::awaitable<void> run_group(const std::shared_ptr<Group>& group);
  boost::asio::awaitable<void> batch_runner(std::shared_ptr<EventFeedScheduler> self,
                                            std::shared_ptr<Batch> batch);
  void prune_and_publish();
  void release_request(const FeedMember& member);
  std::chrono::steady_clock::time_point next_retry() const;

  boost::asio::any_io_executor executor_;
  GraphqlService& service_;
  RecordEventSource source_;
  const void* registry_context_;
  std::shared_ptr<Inbox> inbox_;
  std::uint64_t listener_ = 0;
  boost::asio::steady_timer retry_timer_;
  std::vector<std::shared_ptr<FeedMember>> members_;
  // Interned request keys: text -> (id, members using it).
  std::unordered_map<std::string, std::pair<std::uint64_t, std::size_t>> request_ids_;
  std::uint64_t next_request_id_ = 1;
  std::uint64_t catalog_version_ = 0;  // what reads_ was computed for (0: never)
  RuleRequestReads reads_;
  bool running_ = false;  // a cycle is in progress
  std::uint64_t runs_ = 0;
};

}  // namespace basalt::graphql
