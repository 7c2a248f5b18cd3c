#include "basalt/graphql/subscription_live_query.hpp"

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <vector>

#include "basalt/db/data_versions.hpp"

namespace basalt::graphql {

namespace json = boost::json;

// What the record event subscriber shares with the operation. `tables` and `watch_all` are
// guarded by `mutex` (written by the worker after a run, read by publishing threads); `dirty`
// is set by publishers and cleared by the worker before each run; `wake` is touched only on the
// worker's thread (publishers post its cancel there).
struct LiveQuery::State {
  explicit State(boost::asio::any_io_executor executor) : executor(executor), wake(executor) {}

  boost::asio::any_io_executor executor;
  boost::asio::steady_timer wake;
  std::mutex mutex;
  std::vector<std::string> tables;  // sorted; guarded by mutex
  bool watch_all = true;            // guarded by mutex: before the first run names its tables
  std::atomic<bool> dirty{false};
  // The caller's auth record (empty for a guest or without a recheck): its update or delete
  // wakes the operation whatever tables it reads. Written before subscribing, then read-only.
  std::string auth_collection_id;
  std::string auth_record_id;

  bool names_the_auth_record(const records::RecordEvent& event) const {
    if (auth_record_id.empty() || event.action == records::RecordAction::kCreate) return false;
    if (event.collection_id != auth_collection_id) return false;
    const boost::json::value* id = event.record.if_contains("id");
    return id != nullptr && id->is_string() && id->get_string() == auth_record_id;
  }

  void on_event(const records::RecordEvent& event, const std::shared_ptr<State>& self) {
    if (!names_the_auth_record(event)) {
      const std::string table = db::table_key(event.collection_name);
      std::lock_guard lock(mutex);
      if (!watch_all && !std::binary_search(tables.begin(), tables.end(), table)) return;
    }
    if (dirty.exchange(true)) return;  // a wake-up is already on its way
    boost::asio::post(executor, [self] { self->wake.cancel(); });
  }
};

namespace {

bool has_errors(const std::string& body) {
  // A result's top-level "errors" key comes first when present (GraphqlService writes it so).
  return body.starts_with("{\"errors\":");
}

// The "errors" array of a result or a request error, as the payload of an error message.
std::string errors_of(const std::string& body) {
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (!ec && parsed.is_object()) {
    if (const json::value* errors = parsed.get_object().if_contains("errors")) {
      return json::serialize(*errors);
    }
  }
  return R"([{"message":"Internal error.","extensions":{"code":"internal"}}])";
}

}  // namespace

LiveQuery::LiveQuery(boost::asio::any_io_executor executor, LiveQueryContext context,
                     LiveQueryRequest request, Sink sink)
    : executor_(executor),
      context_(std::move(context)),
      request_(std::move(request)),
      sink_(std::move(sink)),
      state_(std::make_shared<State>(executor)) {}

LiveQuery::~LiveQuery() {
  if (subscription_ != 0) context_.events.unsubscribe(subscription_);
}

std::shared_ptr<LiveQuery> LiveQuery::start(boost::asio::any_io_executor executor,
                                            LiveQueryContext context, LiveQueryRequest request,
                                            Sink sink) {
  auto query = std::make_shared<LiveQuery>(executor, std::move(context), std::move(request),
                                           std::move(sink));
  boost::asio::co_spawn(
      executor, [query]() -> boost::asio::awaitable<void> { co_await query->run(); },
      boost::asio::detached);
  return query;
}

void LiveQuery::stop() {
  if (stopped_) return;
  stopped_ = true;
  sink_ = nullptr;
  state_->wake.cancel();
}

void LiveQuery::finish(LiveOutput output, std::string payload) {
  if (stopped_) return;
  Sink sink = std::move(sink_);
  stopped_ = true;
  sink(output, std::move(payload));
}

boost::asio::awaitable<void> LiveQuery::run() {
  // Keeps this object alive for the whole loop (the transport may drop its pointer on stop()).
  const std::shared_ptr<LiveQuery> self = shared_from_this();
  std::string last_sent;
  bool first = true;
  // Before the first run, so that a commit during it is not missed (every table is watched
  // until the run names its own).
  if (context_.recheck && !context_.caller.is_guest()) {
    state_->auth_collection_id = context_.caller.collection->id;
    state_->auth_record_id = std::string(context_.caller.id());
  }
  subscription_ = context_.events.subscribe(
      [state = state_](const records::RecordEvent& event) { state->on_event(event, state); });
  while (!stopped_) {
    state_->dirty.store(false);
    if (context_.recheck) {
      std::optional<LiveCaller> now;
      bool failed = false;
      try {
        now = co_await context_.recheck();
      } catch (const std::exception&) {
        failed = true;  // e.g. the read pool refusing the record's read: this operation ends
      }
      if (stopped_) co_return;
      if (failed) {
        finish(
            LiveOutput::kError,
            R"([{"message":"The operation could not run now.","extensions":{"code":"internal"}}])");
        co_return;
      }
      if (!now) {
        finish(LiveOutput::kRevoked, {});
        co_return;
      }
      context_.caller = now->caller;
      context_.keep_alive = std::move(now->keep_alive);
    }
    std::vector<std::string> tables;
    GraphqlRequest graphql_request;
    graphql_request.document = request_.document;
    graphql_request.variables = request_.variables ? &*request_.variables : nullptr;
    graphql_request.operation_name = request_.operation_name;
    graphql_request.allow_subscription = true;
    graphql_request.over_get = request_.over_get;
    graphql_request.read_tables = &tables;
    query::RequestInfo info = context_.info;
    GraphqlAnswer answer;
    try {
      answer = co_await context_.service.execute(context_.caller, graphql_request, std::move(info),
                                                 context_.policy);
    } catch (const std::exception&) {
      // execute() turns every failure of a field into an error; what escapes is the request
      // itself (e.g. the read pool refusing work): the operation ends, the connection stays.
      finish(
          LiveOutput::kError,
          R"([{"message":"The operation could not run now.","extensions":{"code":"internal"}}])");
      co_return;
    }
    ++runs_;
    if (stopped_) co_return;
    if (answer.kind != GraphqlAnswer::Kind::kExecuted) {
      finish(LiveOutput::kError, errors_of(answer.body));
      co_return;
    }
    if (!answer.subscription) {
      if (!stopped_ && sink_) sink_(LiveOutput::kNext, std::move(answer.body));
      finish(LiveOutput::kComplete, {});
      co_return;
    }
    // The read pool was full (503 on a re-run): nothing is sent and the operation stays; it runs
    // again after the next window, so a crowd of subscribers delays their updates instead of
    // ending them (each retry still waits a whole window, and the pool's queue bound holds).
    // The tables are kept from the last complete run (a refused statement named none).
    const bool retry = !first && answer.saturated;
    if (retry) {
      state_->dirty.store(true);
    } else {
      if (!first && has_errors(answer.body)) {
        finish(LiveOutput::kError, errors_of(answer.body));
        co_return;
      }
      {
        std::sort(tables.begin(), tables.end());
        tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
        std::lock_guard lock(state_->mutex);
        state_->tables = std::move(tables);
        state_->watch_all = false;
      }
      if (first || answer.body != last_sent) {
        last_sent = answer.body;
        sink_(LiveOutput::kNext, std::move(answer.body));
      }
    }
    first = false;

    // Until a commit touches what the query read (or stop()), then the coalescing window.
    boost::system::error_code ec;
    while (!state_->dirty.load() && !stopped_) {
      state_->wake.expires_at(boost::asio::steady_timer::time_point::max());
      co_await state_->wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (stopped_) co_return;
    state_->wake.expires_after(context_.coalesce);
    co_await state_->wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
  }
}

}  // namespace basalt::graphql
