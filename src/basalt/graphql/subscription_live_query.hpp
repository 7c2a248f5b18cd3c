// LiveQuery: one operation a subscription transport runs (docs/graphql.md, "Subscriptions").
//
//   query / mutation       -> run once through GraphqlService: next, complete
//   subscription (a query  -> run, next; then, each time a record event names a table the
//   root field as a live      statements read, wait the coalescing window and run again;
//   query)                    next only when the result's JSON differs from the last one sent
//
// A run that cannot execute (parse, validation, variables) ends the operation with error; a
// re-run whose result carries errors ends it with error too (a first run's field errors travel
// in its next, as over HTTP). Every run goes through GraphqlService::execute with the
// subscriber's caller, so rules, hidden fields and the schema are those of that caller at the
// time of the run: a record the rule hides is never in a result. With a `recheck`, that caller is
// re-resolved before each run (through the authenticator's per-worker cache, no read when the
// record did not change) and a revoked one ends the operation with kRevoked.
//
// Shared runs (live_query_scheduler.hpp): the live queries of one worker are scheduled
// together; those whose runs are provably the same (live_run_key.hpp: document, variables,
// caller as the rules see it) share one run per coalesced commit and its serialized result.
//
// Bounds: one run in flight per operation; events only mark queries due, so a burst of commits
// costs one cycle per window, never one per event; at most kMaxRunsInFlight distinct runs per
// worker at a time; nothing runs on a timer while no table a query reads changes.
//
// Threads: start(), stop() and every call of the sink happen on `executor`'s thread (the
// worker that owns the transport's connection). The record event subscriber (one per worker's
// scheduler) runs on the publishing thread: it only notes the event's table under a mutex and
// posts one wake-up to the worker.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "basalt/graphql/graphql_service.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/records/event_bus.hpp"

namespace basalt::graphql {

enum class LiveOutput : std::uint8_t {
  kNext,      // payload: an execution result {"data", "errors"?}
  kError,     // payload: a JSON array of GraphQL errors; the operation is over
  kComplete,  // payload empty; the operation is over
  kRevoked,   // payload empty; the subscriber's auth no longer holds: the operation is over and
              // the transport ends the whole connection (docs/graphql.md, "Subscriptions")
};

// A sink's payload, held and never copied per subscriber: the members of one shared run (and
// of one shared change-feed batch) receive the very same text object, so a transport can build
// one message for all of them (api/graphql_ws_session.cpp frames it once per socket group).
// Converts to and from std::string, so a sink may still take `std::string payload`.
class LivePayload {
 public:
  LivePayload() = default;
  LivePayload(std::string text)  // NOLINT(google-explicit-constructor): sinks' own errors
      : text_(std::make_shared<const std::string>(std::move(text))) {}
  explicit LivePayload(std::shared_ptr<const std::string> text) : text_(std::move(text)) {}

  const std::string& text() const noexcept { return text_ ? *text_ : empty(); }
  // The shared object: equal pointers mean the same text (held, so never a reused address).
  const std::shared_ptr<const std::string>& shared() const noexcept { return text_; }
  operator std::string() const { return text(); }  // NOLINT(google-explicit-constructor)

 private:
  static const std::string& empty() noexcept {
    static const std::string none;
    return none;
  }
  std::shared_ptr<const std::string> text_;
};

struct LiveQueryRequest {
  std::string document;
  std::optional<boost::json::object> variables;
  std::string operation_name;
  bool over_get = false;  // sent with GET: a mutation is refused (GraphqlRequest::over_get)
};

// A caller and the owner of what it borrows.
struct LiveCaller {
  records::Caller caller;
  std::shared_ptr<const void> keep_alive;
};

// Before every run: the subscriber as it is now, or nullopt when its auth no longer holds (its
// record deleted, its tokenKey changed, the authRule now refusing it, the token expired).
using CallerCheck = std::function<boost::asio::awaitable<std::optional<LiveCaller>>()>;

struct LiveQueryContext {
  GraphqlService& service;
  records::EventBus& events;
  records::Caller caller;                  // borrows from `keep_alive`
  std::shared_ptr<const void> keep_alive;  // owner of what `caller` borrows
  query::RequestInfo info;                 // copied for every run
  RequestPolicy policy;
  // How long changes gather before a re-run; a worker's shared cycle uses its members' shortest.
  std::chrono::milliseconds coalesce{20};
  // Null: the caller is fixed (guests, tests). Otherwise called before every run (the first
  // included); a nullopt ends the operation with kRevoked, a caller replaces `caller` and
  // `keep_alive` (an update of the auth record refreshes the fields rules read). An update or
  // delete of the caller's own auth record wakes the operation, so a revoked subscriber is seen
  // at once even when the query reads nothing of its collection.
  CallerCheck recheck;
  // Optional, beside `recheck`: the same check when it can be answered without waiting (the
  // transport's verified principal still holds), else nullopt and `recheck` runs. A cycle of a
  // thousand subscribers then costs no coroutine per subscriber.
  std::function<std::optional<LiveCaller>()> recheck_held;
};

class LiveQueryScheduler;
struct LiveMember;

class LiveQuery {
 public:
  using Sink = std::function<void(LiveOutput output, LivePayload payload)>;

  // Starts the operation on `executor` (call on its thread). The sink is called until kError,
  // kComplete or kRevoked, or until stop(); never after either.
  static std::shared_ptr<LiveQuery> start(boost::asio::any_io_executor executor,
                                          LiveQueryContext context, LiveQueryRequest request,
                                          Sink sink);

  // Ends the operation without a further sink call (a client's complete, the connection's end).
  void stop();
  bool stopped() const noexcept;

  // Tests and docs: runs whose result this operation received (the first included).
  std::uint64_t runs() const noexcept;
  // Tests and docs: runs its worker's scheduler executed, each shared by its group once.
  std::uint64_t worker_runs() const noexcept;

  LiveQuery(std::shared_ptr<LiveQueryScheduler> scheduler, std::shared_ptr<LiveMember> member);
  ~LiveQuery();
  LiveQuery(const LiveQuery&) = delete;
  LiveQuery& operator=(const LiveQuery&) = delete;

 private:
  std::shared_ptr<LiveQueryScheduler> scheduler_;
  std::shared_ptr<LiveMember> member_;
};

}  // namespace basalt::graphql
