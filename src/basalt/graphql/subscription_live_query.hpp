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
// Bounds: one run in flight per operation (the loop awaits it); events only mark the query
// dirty, so a burst of commits costs one run per window, never one per event; nothing runs on
// a timer while no table it reads changes.
//
// Threads: start(), stop() and every call of the sink happen on `executor`'s thread (the
// worker that owns the transport's connection). The record event subscriber runs on the
// publishing thread: it only reads the watched tables under a mutex, sets an atomic flag and
// posts a wake-up to the executor.
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
  std::chrono::milliseconds coalesce{20};  // how long changes gather before a re-run
  // Null: the caller is fixed (guests, tests). Otherwise called before every run (the first
  // included); a nullopt ends the operation with kRevoked, a caller replaces `caller` and
  // `keep_alive` (an update of the auth record refreshes the fields rules read). An update or
  // delete of the caller's own auth record wakes the operation, so a revoked subscriber is seen
  // at once even when the query reads nothing of its collection.
  CallerCheck recheck;
};

class LiveQuery : public std::enable_shared_from_this<LiveQuery> {
 public:
  using Sink = std::function<void(LiveOutput output, std::string payload)>;

  // Starts the operation on `executor`. The sink is called until kError or kComplete, or until
  // stop(); never after either.
  static std::shared_ptr<LiveQuery> start(boost::asio::any_io_executor executor,
                                          LiveQueryContext context, LiveQueryRequest request,
                                          Sink sink);

  // Ends the operation without a further sink call (a client's complete, the connection's end).
  void stop();
  bool stopped() const noexcept { return stopped_; }

  // Tests and docs: runs done so far (the first included).
  std::uint64_t runs() const noexcept { return runs_; }

  struct State;  // internal: shared with the event subscriber
  LiveQuery(boost::asio::any_io_executor executor, LiveQueryContext context,
            LiveQueryRequest request, Sink sink);
  ~LiveQuery();

 private:
  boost::asio::awaitable<void> run();
  void finish(LiveOutput output, std::string payload);

  boost::asio::any_io_executor executor_;
  LiveQueryContext context_;
  LiveQueryRequest request_;
  Sink sink_;
  std::shared_ptr<State> state_;
  std::uint64_t subscription_ = 0;
  std::uint64_t runs_ = 0;
  bool stopped_ = false;
};

}  // namespace basalt::graphql
