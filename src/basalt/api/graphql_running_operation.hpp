// How both subscription transports (graphql_ws_session.hpp, graphql_sse_stream.hpp) run one
// operation (docs/graphql.md, "Subscriptions", "Change feeds"): a subscription to a `<c>_events`
// feed of the caller's schema runs as a graphql::EventFeed over the realtime hub
// (realtime::Broker::listen), everything else - live queries, queries, mutations, documents
// that do not run - as a graphql::LiveQuery. Both report through the same sink.
//
// Threads: start_graphql_operation(), stop() and the sink on the transport's worker.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "basalt/api/services.hpp"
#include "basalt/graphql/subscription_event_feed.hpp"
#include "basalt/graphql/subscription_live_query.hpp"

namespace basalt::api {

// One running operation: its transport keeps it until it finishes or is stopped.
class RunningOperation {
 public:
  RunningOperation() = default;
  explicit RunningOperation(std::shared_ptr<graphql::LiveQuery> live) : live_(std::move(live)) {}
  explicit RunningOperation(std::shared_ptr<graphql::EventFeed> feed) : feed_(std::move(feed)) {}

  // Ends it without a further sink call.
  void stop() {
    if (live_) live_->stop();
    if (feed_) feed_->stop();
  }

 private:
  std::shared_ptr<graphql::LiveQuery> live_;
  std::shared_ptr<graphql::EventFeed> feed_;
};

// `context` as a LiveQuery takes it; a feed takes its service, caller, request values, policy
// and recheck, retries a batch the read pool refused after `context.coalesce`, and holds at
// most graphql::kMaxPendingEvents events for a subscriber.
RunningOperation start_graphql_operation(const Services& services,
                                         boost::asio::any_io_executor executor,
                                         graphql::LiveQueryContext context,
                                         graphql::LiveQueryRequest request,
                                         graphql::LiveQuery::Sink sink);

}  // namespace basalt::api
