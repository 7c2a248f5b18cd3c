#include "basalt/graphql/subscription_event_feed.hpp"

#include "basalt/graphql/event_feed_scheduler.hpp"

namespace basalt::graphql {

std::shared_ptr<EventFeed> EventFeed::start(boost::asio::any_io_executor executor,
                                            EventFeedContext context, LiveQueryRequest request,
                                            Sink sink) {
  std::shared_ptr<EventFeedScheduler> scheduler =
      EventFeedScheduler::for_worker(executor, context.service, context.source);
  auto member =
      std::make_shared<FeedMember>(std::move(context), std::move(request), std::move(sink));
  scheduler->add(member);
  return std::make_shared<EventFeed>(std::move(scheduler), std::move(member));
}

EventFeed::EventFeed(std::shared_ptr<EventFeedScheduler> scheduler,
                     std::shared_ptr<FeedMember> member)
    : scheduler_(std::move(scheduler)), member_(std::move(member)) {}

EventFeed::~EventFeed() {
  stop();
}

void EventFeed::stop() {
  if (!member_->stopped) {
    member_->stopped = true;
    member_->sink = nullptr;
  }
  scheduler_->remove(member_);
}

bool EventFeed::stopped() const noexcept {
  return member_->stopped;
}

std::uint64_t EventFeed::batches() const noexcept {
  return member_->batches;
}

std::uint64_t EventFeed::worker_runs() const noexcept {
  return scheduler_->runs();
}

}  // namespace basalt::graphql
