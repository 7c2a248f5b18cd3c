#include "basalt/graphql/subscription_live_query.hpp"

#include "basalt/graphql/live_query_scheduler.hpp"

namespace basalt::graphql {

std::shared_ptr<LiveQuery> LiveQuery::start(boost::asio::any_io_executor executor,
                                            LiveQueryContext context, LiveQueryRequest request,
                                            Sink sink) {
  std::shared_ptr<LiveQueryScheduler> scheduler =
      LiveQueryScheduler::for_worker(executor, context.service, context.events);
  auto member =
      std::make_shared<LiveMember>(std::move(context), std::move(request), std::move(sink));
  scheduler->add(member);
  return std::make_shared<LiveQuery>(std::move(scheduler), std::move(member));
}

LiveQuery::LiveQuery(std::shared_ptr<LiveQueryScheduler> scheduler,
                     std::shared_ptr<LiveMember> member)
    : scheduler_(std::move(scheduler)), member_(std::move(member)) {}

LiveQuery::~LiveQuery() {
  stop();
}

void LiveQuery::stop() {
  if (!member_->stopped) {
    member_->stopped = true;
    member_->sink = nullptr;
  }
  scheduler_->remove(member_);
}

bool LiveQuery::stopped() const noexcept {
  return member_->stopped;
}

std::uint64_t LiveQuery::runs() const noexcept {
  return member_->runs;
}

std::uint64_t LiveQuery::worker_runs() const noexcept {
  return scheduler_->runs();
}

}  // namespace basalt::graphql
