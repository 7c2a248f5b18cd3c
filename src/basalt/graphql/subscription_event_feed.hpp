// EventFeed: one `<c>_events(where, actions)` subscription (docs/graphql.md, "Change feeds"),
// the GraphQL face of a REST realtime collection topic.
//
//   the realtime hub (every instance's committed record events, realtime::Broker::listen)
//     -> the worker's EventFeedScheduler (event_feed_scheduler.hpp): one listener per worker;
//        the subscriber re-checked before each batch (as a live query's: a revoked one ends
//        with kRevoked, the transport closes with 4403), then what waited as ONE batch through
//        GraphqlService::execute_events (rules, `where`, the selection: one statement per 100
//        records on the read pool) - shared with every feed of the worker whose run is provably
//        the same - and one kNext per event the subscriber may see, in commit order
//
// The first batch holds what committed since start() (usually nothing): it checks that the
// operation runs (document, rule, `where`) and ends it with kError when not, as a live query's
// first run does. A batch that fails later ends
// the operation with kError too, except when the read pool refused it (503): then the same
// events run again after `retry_after`, so a busy database delays a feed instead of ending it.
//
// Bounds: at most `max_pending` events wait for the feed (and the largest of its worker's feeds'
// for the worker); one more and the feed ends with a limit-exceeded error (the subscriber fell
// behind: as REST realtime drops a client that does not keep up; the transport's own outbound
// bound closes a connection that does not read). One batch in flight per feed.
//
// Threads: start(), stop() and every sink call on `executor`'s thread (the transport's worker).
// The scheduler's hub listener runs on the hub's thread: it takes the queue's mutex, and posts.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "basalt/graphql/subscription_live_query.hpp"
#include "basalt/records/event_bus.hpp"

namespace basalt::graphql {

inline constexpr std::size_t kMaxPendingEvents = 1000;

// Where a feed's events come from: every record event the realtime hub delivers, on its
// thread. All sources given for one GraphqlService deliver the same events (a worker's feeds
// listen once, through the first feed's source). `listen` returns an id for `unlisten`; a delivery
// under way may still call the listener once after unlisten returns (it owns the state it touches).
struct RecordEventSource {
  using Listener = std::function<void(const std::shared_ptr<const records::RecordEvent>&)>;
  std::function<std::uint64_t(Listener)> listen;
  std::function<void(std::uint64_t)> unlisten;
};

struct EventFeedContext {
  GraphqlService& service;
  RecordEventSource source;
  records::Caller caller;                  // borrows from `keep_alive`
  std::shared_ptr<const void> keep_alive;  // owner of what `caller` borrows
  query::RequestInfo info;                 // copied for every batch
  RequestPolicy policy;
  std::string collection_id;  // the feed's collection (GraphqlService::event_feed_collection)
  std::size_t max_pending = kMaxPendingEvents;
  std::chrono::milliseconds retry_after{20};  // after a batch the read pool refused
  // As LiveQueryContext::recheck: null for a fixed caller; else called before every batch, and
  // an update or delete of the caller's own auth record triggers one.
  CallerCheck recheck;
};

class EventFeedScheduler;
struct FeedMember;

class EventFeed {
 public:
  using Sink = LiveQuery::Sink;

  // Joins the feeds of `executor`'s worker (event_feed_scheduler.hpp) before it returns: an
  // event committed after the call is never missed (a transport that answers a later message
  // of the same client after this call tells it the feed is live). Call on that thread.
  static std::shared_ptr<EventFeed> start(boost::asio::any_io_executor executor,
                                          EventFeedContext context, LiveQueryRequest request,
                                          Sink sink);

  // Ends the feed without a further sink call.
  void stop();
  bool stopped() const noexcept;

  // Tests: batches whose result this feed received (the first, empty one included).
  std::uint64_t batches() const noexcept;
  // Tests and docs: execute_events runs its worker's scheduler made, a shared one once.
  std::uint64_t worker_runs() const noexcept;

  EventFeed(std::shared_ptr<EventFeedScheduler> scheduler, std::shared_ptr<FeedMember> member);
  ~EventFeed();

 private:
  std::shared_ptr<EventFeedScheduler> scheduler_;
  std::shared_ptr<FeedMember> member_;
};

}  // namespace basalt::graphql
