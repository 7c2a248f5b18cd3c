#include "basalt/api/graphql_running_operation.hpp"

namespace basalt::api {

RunningOperation start_graphql_operation(const Services& services,
                                         boost::asio::any_io_executor executor,
                                         graphql::LiveQueryContext context,
                                         graphql::LiveQueryRequest request,
                                         graphql::LiveQuery::Sink sink) {
  graphql::GraphqlRequest probe;
  probe.document = request.document;
  probe.variables = request.variables ? &*request.variables : nullptr;
  probe.operation_name = request.operation_name;
  probe.over_get = request.over_get;
  std::string collection_id =
      services.graphql.event_feed_collection(context.caller, probe, context.policy);
  if (collection_id.empty()) {
    return RunningOperation(graphql::LiveQuery::start(executor, std::move(context),
                                                      std::move(request), std::move(sink)));
  }
  realtime::Broker& broker = services.realtime;
  graphql::RecordEventSource source;
  source.listen = [&broker](graphql::RecordEventSource::Listener listener) {
    return broker.listen(std::move(listener));
  };
  source.unlisten = [&broker](std::uint64_t id) { broker.unlisten(id); };
  graphql::EventFeedContext feed{context.service,         std::move(source),
                                 context.caller,          std::move(context.keep_alive),
                                 std::move(context.info), context.policy,
                                 std::move(collection_id)};
  feed.retry_after = context.coalesce;
  feed.recheck = std::move(context.recheck);
  return RunningOperation(
      graphql::EventFeed::start(executor, std::move(feed), std::move(request), std::move(sink)));
}

}  // namespace basalt::api
