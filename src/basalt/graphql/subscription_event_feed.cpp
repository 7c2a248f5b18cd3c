#include "basalt/graphql/subscription_event_feed.hpp"

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/value.hpp>
#include <mutex>
#include <vector>

namespace basalt::graphql {

using HubEvent = std::shared_ptr<const records::RecordEvent>;

// What the hub listener shares with the feed. `pending`, `overflow` and `auth_touched` are
// guarded by `mutex`; `posted` is set by the listener when it posts a wake-up and cleared by the
// worker before it takes the queue; `wake` is touched only on the worker's thread. The ids are
// written before listening, then read-only.
struct EventFeed::State {
  explicit State(boost::asio::any_io_executor executor) : executor(executor), wake(executor) {}

  boost::asio::any_io_executor executor;
  boost::asio::steady_timer wake;
  std::mutex mutex;
  std::vector<HubEvent> pending;
  bool overflow = false;
  bool auth_touched = false;
  std::atomic<bool> posted{false};
  std::size_t max_pending = kMaxPendingEvents;
  std::string collection_id;
  std::string auth_collection_id;  // empty: no recheck (a guest, a fixed caller)
  std::string auth_record_id;

  bool names_the_auth_record(const records::RecordEvent& event) const {
    if (auth_record_id.empty() || event.action == records::RecordAction::kCreate) return false;
    if (event.collection_id != auth_collection_id) return false;
    const boost::json::value* id = event.record.if_contains("id");
    return id != nullptr && id->is_string() && id->get_string() == auth_record_id;
  }

  void on_event(const HubEvent& event, const std::shared_ptr<State>& self) {
    const bool own = names_the_auth_record(*event);
    const bool watched = event->collection_id == collection_id;
    if (!own && !watched) return;
    {
      std::lock_guard lock(mutex);
      if (watched) {
        if (pending.size() >= max_pending) {
          overflow = true;
        } else {
          pending.push_back(event);
        }
      }
      if (own) auth_touched = true;
    }
    if (posted.exchange(true)) return;  // a wake-up is already on its way
    boost::asio::post(executor, [self] { self->wake.cancel(); });
  }
};

namespace {

constexpr const char* kCouldNotRun =
    R"([{"message":"The operation could not run now.","extensions":{"code":"internal"}}])";

std::string fell_behind(std::size_t max_pending) {
  return R"([{"message":"The subscriber fell behind: more than )" + std::to_string(max_pending) +
         R"( record events waited for it. Subscribe again to continue.",)"
         R"("extensions":{"code":"limit-exceeded"}}])";
}

}  // namespace

EventFeed::EventFeed(boost::asio::any_io_executor executor, EventFeedContext context,
                     LiveQueryRequest request, Sink sink)
    : context_(std::move(context)),
      request_(std::move(request)),
      sink_(std::move(sink)),
      state_(std::make_shared<State>(executor)) {}

EventFeed::~EventFeed() {
  if (listener_ != 0) context_.source.unlisten(listener_);
}

std::shared_ptr<EventFeed> EventFeed::start(boost::asio::any_io_executor executor,
                                            EventFeedContext context, LiveQueryRequest request,
                                            Sink sink) {
  auto feed = std::make_shared<EventFeed>(executor, std::move(context), std::move(request),
                                          std::move(sink));
  feed->listen();
  boost::asio::co_spawn(
      executor, [feed]() -> boost::asio::awaitable<void> { co_await feed->run(); },
      boost::asio::detached);
  return feed;
}

void EventFeed::listen() {
  state_->collection_id = context_.collection_id;
  state_->max_pending = context_.max_pending;
  if (context_.recheck && !context_.caller.is_guest()) {
    state_->auth_collection_id = context_.caller.collection->id;
    state_->auth_record_id = std::string(context_.caller.id());
  }
  listener_ = context_.source.listen(
      [state = state_](const HubEvent& event) { state->on_event(event, state); });
}

void EventFeed::stop() {
  if (stopped_) return;
  stopped_ = true;
  sink_ = nullptr;
  state_->wake.cancel();
}

void EventFeed::finish(LiveOutput output, std::string payload) {
  if (stopped_) return;
  Sink sink = std::move(sink_);
  stopped_ = true;
  sink(output, std::move(payload));
}

boost::asio::awaitable<void> EventFeed::run() {
  // Keeps this object alive for the whole loop (the transport may drop its pointer on stop()).
  const std::shared_ptr<EventFeed> self = shared_from_this();
  std::vector<HubEvent> batch;  // a batch the read pool refused is kept and run again
  bool first = true;
  while (!stopped_) {
    state_->posted.store(false);
    bool overflow = false;
    {
      std::lock_guard lock(state_->mutex);
      for (HubEvent& event : state_->pending) batch.push_back(std::move(event));
      state_->pending.clear();
      overflow = state_->overflow;
      state_->auth_touched = false;
    }
    if (overflow) {
      finish(LiveOutput::kError, fell_behind(context_.max_pending));
      co_return;
    }
    if (context_.recheck) {
      std::optional<LiveCaller> now;
      bool failed = false;
      try {
        now = co_await context_.recheck();
      } catch (const std::exception&) {
        failed = true;
      }
      if (stopped_) co_return;
      if (failed) {
        finish(LiveOutput::kError, kCouldNotRun);
        co_return;
      }
      if (!now) {
        finish(LiveOutput::kRevoked, {});
        co_return;
      }
      context_.caller = now->caller;
      context_.keep_alive = std::move(now->keep_alive);
    }
    bool retry = false;
    if (first || !batch.empty()) {
      GraphqlRequest graphql_request;
      graphql_request.document = request_.document;
      graphql_request.variables = request_.variables ? &*request_.variables : nullptr;
      graphql_request.operation_name = request_.operation_name;
      graphql_request.allow_subscription = true;
      graphql_request.over_get = request_.over_get;
      query::RequestInfo info = context_.info;
      std::vector<HubEvent> events = batch;
      EventBatchAnswer answer;
      try {
        answer = co_await context_.service.execute_events(
            context_.caller, graphql_request, std::move(info), context_.policy, std::move(events));
      } catch (const std::exception&) {
        finish(LiveOutput::kError, kCouldNotRun);
        co_return;
      }
      ++batches_;
      if (stopped_) co_return;
      if (answer.kind == EventBatchAnswer::Kind::kFailed) {
        if (first || !answer.saturated) {
          finish(LiveOutput::kError, std::move(answer.errors));
          co_return;
        }
        retry = true;  // the same events, after a pause
      } else {
        for (std::string& result : answer.results) {
          if (stopped_ || !sink_) co_return;
          sink_(LiveOutput::kNext, std::move(result));
        }
        batch.clear();
      }
    }
    first = false;

    boost::system::error_code ec;
    if (retry) {
      state_->wake.expires_after(context_.retry_after);
      co_await state_->wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      continue;
    }
    // Until the hub brings an event of the collection or of the caller's record (or stop()).
    while (!state_->posted.load() && !stopped_) {
      state_->wake.expires_at(boost::asio::steady_timer::time_point::max());
      co_await state_->wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
  }
}

}  // namespace basalt::graphql
