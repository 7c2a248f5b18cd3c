// LiveQueryScheduler: the live queries of one worker, re-run together after the commits that
// touch what they read (docs/graphql.md, "Shared runs").
//
//   record event (publishing thread) -> the inbox notes the table / the auth record, posts ONE
//   wake-up -> the worker waits the coalescing window -> every subscriber whose tables (or own
//   auth record) the window's events name is due -> each due subscriber's caller re-checked ->
//   due subscribers grouped by their run key (live_run_key.hpp) -> ONE run per group, at most
//   kMaxRunsInFlight groups at a time -> the result (serialized once) compared with what each
//   member was last sent, pushed to those it changed for (the delivery pass in slices of about
//   1 ms, the worker given back between slices so a write answered there is not held).
//
// A burst of commits costs one cycle per window; 1,000 subscribers of the same query as the
// same caller cost one statement per cycle. Subscribers' first runs go through the same cycle
// (without the window), so subscribers arriving together share those too. Members' results,
// errors, retries after a saturated read pool, and their end keep the semantics
// subscription_live_query.hpp describes, per member.
//
// Ownership and threads: one scheduler per (GraphqlService, EventBus, worker io_context), found
// in a process-wide registry that holds it weakly; each LiveQuery (and a cycle in progress)
// holds it, so it exists while its worker has live queries. Everything but the inbox belongs to
// the worker's thread. The inbox is what the EventBus subscriber (any publishing thread) shares
// with the worker, under its mutex: the tables and auth records events named since the last
// cycle, and what the members watch (published by the worker after each cycle).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "basalt/graphql/live_run_key.hpp"
#include "basalt/graphql/subscription_live_query.hpp"

namespace basalt::graphql {

// Distinct runs one worker's scheduler has in flight at once (each one statement per root
// field on the read pool): a crowd of distinct subscribers queues here, not in the read pool.
inline constexpr std::size_t kMaxRunsInFlight = 16;

// One subscriber: a LiveQuery's state. Worker thread only.
struct LiveMember {
  LiveQueryContext context;
  LiveQueryRequest request;
  LiveQuery::Sink sink;
  LiveRunKeyParts key_parts;
  std::uint64_t request_id = 0;  // interned key_parts.request (the scheduler's)
  // What was last sent (shared with the other members the same result went to).
  std::shared_ptr<const std::string> last_sent;
  // What its last complete run read, sorted; shared by the members of that run (one copy per
  // run, not per member: a cycle of 1,000 subscribers copies no table names).
  std::shared_ptr<const std::vector<std::string>> tables;
  std::string auth_key;  // "<collection id>/<record id>" with a recheck, else ""
  // Its run key (live_run_key.hpp) as last computed, for the catalog version it was computed
  // under: recomputed only when the catalog (what rules read) changes, not at every cycle. The
  // caller's identity is fixed for a member (a re-check of its token yields the same record).
  std::string run_key;
  std::uint64_t run_key_catalog = 0;
  bool first = true;  // its first result is still to come
  bool due = true;    // runs in the next cycle (a new member, a saturated retry)
  bool stopped = false;
  std::uint64_t runs = 0;  // runs whose result it received

  LiveMember(LiveQueryContext context, LiveQueryRequest request, LiveQuery::Sink sink);
  // The last sink call (kError, kComplete, kRevoked); none after it, nor after stop().
  void finish(LiveOutput output, std::string payload);
};

class LiveQueryScheduler : public std::enable_shared_from_this<LiveQueryScheduler> {
 public:
  // The scheduler of `executor`'s io_context for this service and event bus (created on first
  // use). Call on that worker's thread.
  static std::shared_ptr<LiveQueryScheduler> for_worker(boost::asio::any_io_executor executor,
                                                        GraphqlService& service,
                                                        records::EventBus& events);

  // Both on the worker's thread. add() schedules the member's first run.
  void add(const std::shared_ptr<LiveMember>& member);
  void remove(const std::shared_ptr<LiveMember>& member);

  // Runs executed (shared ones once), for tests and docs.
  std::uint64_t runs() const noexcept { return runs_; }

  struct Inbox;  // internal: shared with the event subscriber
  struct Group;
  struct Batch;
  LiveQueryScheduler(boost::asio::any_io_executor executor, GraphqlService& service,
                     records::EventBus& events, const void* registry_context);
  ~LiveQueryScheduler();

 private:
  void wake();
  boost::asio::awaitable<void> cycle(std::shared_ptr<LiveQueryScheduler> self);
  std::vector<std::shared_ptr<LiveMember>> take_due();
  boost::asio::awaitable<void> recheck(std::vector<std::shared_ptr<LiveMember>>& due);
  std::vector<std::shared_ptr<Group>> group(const std::vector<std::shared_ptr<LiveMember>>& due);
  boost::asio::awaitable<void> run_groups(std::vector<std::shared_ptr<Group>> groups);
  boost::asio::awaitable<void> run_group(const std::shared_ptr<Group>& group);
  boost::asio::awaitable<void> batch_runner(std::shared_ptr<LiveQueryScheduler> self,
                                            std::shared_ptr<Batch> batch);
  void deliver(LiveMember& member, const GraphqlAnswer& answer,
               const std::shared_ptr<const std::string>& body,
               const std::shared_ptr<const std::vector<std::string>>& tables);
  void prune_and_publish();
  void release_request(const LiveMember& member);

  boost::asio::any_io_executor executor_;
  GraphqlService& service_;
  records::EventBus& events_;
  const void* registry_context_;
  std::shared_ptr<Inbox> inbox_;
  std::uint64_t subscription_ = 0;
  boost::asio::steady_timer window_timer_;
  std::chrono::milliseconds window_{20};  // the shortest coalescing window of its members
  std::vector<std::shared_ptr<LiveMember>> members_;
  // Interned request keys: text -> (id, members using it).
  std::unordered_map<std::string, std::pair<std::uint64_t, std::size_t>> request_ids_;
  std::uint64_t next_request_id_ = 1;
  std::uint64_t catalog_version_ = 0;  // what reads_ was computed for (0: never)
  RuleRequestReads reads_;
  bool running_ = false;  // a cycle is in progress
  bool retry_ = false;    // a member is due again (saturated read pool): cycle after a window
  std::uint64_t runs_ = 0;
};

}  // namespace basalt::graphql
