#include "basalt/realtime/registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_map>

#include "basalt/core/api_error.hpp"
#include "basalt/http/json_fields.hpp"
#include "basalt/realtime/broker.hpp"
#include "basalt/realtime/slice.hpp"
#include "basalt/records/record_response_json.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::realtime {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kMaxSweepInterval{1000};
constexpr std::chrono::milliseconds kMinSweepInterval{10};
// Events waiting on one worker. Delivery runs behind the writer only while checks wait on the
// read pool; past this many the worker's clients are disconnected (the SDK reconnects) rather
// than the queue growing without bound.
constexpr std::size_t kMaxQueuedEvents = 10'000;
constexpr std::size_t kEventsPerFlush = 16;

std::string_view string_member(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view{};
}

// The check of one group for the event in progress, and the message data it yields ("" when
// the rules or the filter keep the record from the group).
struct Check {
  DeliveryGroup* group;
  std::shared_ptr<const ClientAuth> auth;  // of its first subscriber, as of this event
  std::string data;
};

}  // namespace

void Registry::attach(Client& client) {
  clients_.push_back(client);
  if (sweeping_) return;
  sweeping_ = true;
  asio::co_spawn(executor_, sweep_loop(), asio::detached);
}

void Registry::detach(Client& client) {
  unsubscribe(client);
  client.topics = std::make_shared<const std::vector<Topic>>();
  clients_.erase(clients_.iterator_to(client));
  // The last client gone: the sweep ends now, so a draining worker is not held for a tick.
  if (clients_.empty() && sweep_timer_ != nullptr) sweep_timer_->cancel();
}

void Registry::replace_topics(Client& client, TopicSet topics) {
  unsubscribe(client);
  client.topics = std::move(topics);
  subscribe(client);
}

void Registry::subscribe(Client& client) {
  const auto& topics = *client.topics;
  client.subscriptions.reserve(topics.size());
  for (std::size_t i = 0; i < topics.size(); ++i) {
    auto subscription = std::make_unique<Subscription>(Subscription{
        &client, &topics[i], join_group(client, i), client.message_prefix(topics[i].text)});
    index_.add(topics[i], subscription.get());
    client.subscriptions.push_back(std::move(subscription));
  }
}

void Registry::unsubscribe(Client& client) {
  for (auto& subscription : client.subscriptions) {
    index_.remove(*subscription->topic, subscription.get());
    leave_group(subscription->group);
    subscription->client = nullptr;
    if (fanning_out_) retired_subscriptions_.push_back(std::move(subscription));
  }
  client.subscriptions.clear();
}

DeliveryGroup* Registry::join_group(const Client& client, std::size_t topic_index) {
  std::string key = client.auth ? client.auth->key() : std::string();
  key += '\x01';
  key += (*client.topics)[topic_index].check_key;
  auto& slot = groups_[key];
  if (!slot) {
    slot = std::make_unique<DeliveryGroup>();
    slot->key = std::move(key);
    slot->topics = client.topics;
    slot->topic_index = topic_index;
  }
  ++slot->members;
  return slot.get();
}

void Registry::leave_group(DeliveryGroup* group) {
  if (--group->members != 0) return;
  auto found = groups_.find(group->key);
  if (fanning_out_) retired_groups_.push_back(std::move(found->second));
  groups_.erase(found);
}

void Registry::end_fan_out() {
  fanning_out_ = false;
  retired_subscriptions_.clear();
  retired_groups_.clear();
}

void Registry::enqueue(HubEvent event) {
  if (clients_.empty()) return;
  if (events_.size() >= kMaxQueuedEvents) {
    spdlog::warn("realtime: {} events behind; disconnecting this worker's clients", events_.size());
    events_.clear();
    for (Client& client : clients_) client.close();
    return;
  }
  events_.push_back(std::move(event));
  if (delivering_) return;
  delivering_ = true;
  asio::co_spawn(executor_, deliver_loop(), asio::detached);
}

asio::awaitable<void> Registry::deliver_loop() {
  // One event at a time, in arrival order: a client sees events in commit order.
  while (!events_.empty()) {
    HubEvent event = std::move(events_.front());
    events_.pop_front();
    fanning_out_ = true;
    try {
      co_await deliver(*event);
    } catch (const std::exception& error) {
      spdlog::warn("realtime: delivering an event of {} failed: {}", event->collection_name,
                   error.what());
    }
    end_fan_out();
  }
  delivering_ = false;
}

void Registry::arrange_flush(Client& client, FlushDue due) {
  // While events queue up or a flush round is under way, a client due now joins the next round
  // instead: under load every client is then written once per round (rounds last at least the
  // flush interval, longer when writing everyone takes longer), so several events share a
  // write instead of each costing a system call per client. An idle worker writes at once.
  if (due == FlushDue::kNow && broker_.config().flush_interval.count() > 0 &&
      (deferring_ || !events_.empty())) {
    due = FlushDue::kLater;
  }
  if (due == FlushDue::kNow) {
    client.flush();  // its only message: nothing would join it before the slice ends
  } else if (due == FlushDue::kLater) {
    deferred_.push_back(client.shared_from_this());
    if (deferring_) return;
    deferring_ = true;
    asio::co_spawn(executor_, deferred_flush_loop(), asio::detached);
  }
}

asio::awaitable<void> Registry::deferred_flush_loop() {
  // Rounds: each writes every client deferred before it started, in slices with yields (so
  // requests and fan-outs interleave; clients appended to meanwhile take the new messages
  // along). A round starts one interval after the previous one started, or at once when that
  // one took longer: the write rate per client adapts to what the worker can do. Every client
  // in deferred_ waits at most an interval, or one round. Runs only while some are waiting.
  asio::steady_timer timer(executor_);
  std::vector<std::shared_ptr<Client>> due;
  auto round_start = Client::Clock::now();
  while (!deferred_.empty()) {
    timer.expires_at(round_start + broker_.config().flush_interval);
    co_await timer.async_wait(kAsTuple);
    round_start = Client::Clock::now();
    due.swap(deferred_);
    Slice slice;
    for (const auto& client : due) {
      client->flush();
      if (slice.spent()) {
        co_await asio::post(executor_, asio::use_awaitable);
        slice.restart();
      }
    }
    due.clear();
  }
  deferring_ = false;
}

asio::awaitable<void> Registry::deliver(const records::RecordEvent& event) {
  prune_deleted_collections();
  follow_auth(event);
  const std::string record_id(string_member(event.record, schema::kFieldId));

  // The subscribers and their distinct groups; nothing is built per subscriber. A subscription
  // sits under one index key, so it is visited at most once.
  const std::uint64_t event_number = ++event_count_;
  std::vector<Subscription*> targets;
  std::vector<Check> checks;
  index_.for_each_match(event.collection_id, event.collection_name, record_id,
                        [&](Subscription* subscription) {
                          if (subscription->client->closed()) return;
                          DeliveryGroup& group = *subscription->group;
                          if (group.event != event_number) {
                            group.event = event_number;
                            group.slot = checks.size();
                            checks.push_back(Check{&group, subscription->client->auth, {}});
                          }
                          targets.push_back(subscription);
                        });
  if (targets.empty()) co_return;

  const std::string_view action = records::record_action_name(event.action);
  Slice slice;
  for (Check& check : checks) {
    // The group's representative topic, held by this copy of its set across the awaits.
    const TopicSet topics = check.group->topics;
    const Topic& topic = (*topics)[check.group->topic_index];
    if (slice.spent()) {
      co_await asio::post(executor_, asio::use_awaitable);
      slice.restart();
    }
    auto catalog = broker_.collections().catalog();
    records::Caller caller;
    if (check.auth) {
      // An auth collection deleted since the POST leaves a guest.
      caller.collection = catalog->find(check.auth->collection_id);
      if (caller.collection) caller.record = check.auth->record.get();
    }
    // Every argument named: GCC 12 destroys temporaries of a co_await expression twice.
    std::string filter = topic.filter;
    std::string expand = topic.expand;
    query::RequestInfo request;
    request.context = "realtime";
    request.method = "GET";
    request.query = topic.query;
    request.headers = topic.headers;
    std::optional<records::RecordResult> result;
    try {
      result = co_await broker_.records().realtime_record(
          caller, event, topic.view(), std::move(filter), std::move(expand), std::move(request));
    } catch (const core::ApiError& error) {
      // e.g. a filter a schema change broke since the POST: nothing is sent
      spdlog::debug("realtime: {} not sent to {}: {}", event.collection_name, topic.text,
                    error.what());
      continue;
    }
    if (!result) continue;
    std::string record;
    records::write_record(record, result->record, caller.is_superuser());
    if (!topic.fields.empty()) {
      try {
        record = http::project_json(record, http::parse_fields(topic.fields), false);
      } catch (const core::ApiError&) {
        // an invalid `fields` option sends the whole record, as a bad fields spec is ignored
      }
    }
    check.data.reserve(record.size() + 32);
    check.data.append("{\"record\":")
        .append(record)
        .append(",\"action\":\"")
        .append(action)
        .append("\"}");
  }

  // The appends (and the writes of clients due at once), a slice at a time: the writes count
  // against the slice's time, so a fan-out of lone events (one system call per client) yields
  // as often as one of appends, and the first subscribers do not wait for the last. A subscription
  // retired (client gone, new POST) or regrouped (auth dropped) during a suspension is skipped.
  slice.restart();
  for (Subscription* subscription : targets) {
    Client* client = subscription->client;
    if (client != nullptr && subscription->group->event == event_number) {
      const std::string& data = checks[subscription->group->slot].data;
      if (!data.empty()) {
        arrange_flush(*client, client->queue(subscription->prefix, data, slice.started()));
      }
    }
    if (slice.spent()) {
      co_await asio::post(executor_, asio::use_awaitable);
      slice.restart();
    }
  }
}

void Registry::follow_auth(const records::RecordEvent& event) {
  // A client's stored auth follows its record: deleted, or a new tokenKey (password or email
  // change), drops it; any other update refreshes what its rules read.
  if (event.action == records::RecordAction::kCreate) return;
  const std::string_view record_id = string_member(event.record, schema::kFieldId);
  std::shared_ptr<const ClientAuth> refreshed;
  for (Client& client : clients_) {
    const auto& auth = client.auth;
    if (!auth || auth->record_id != record_id || auth->collection_id != event.collection_id) {
      continue;
    }
    if (event.action == records::RecordAction::kDelete ||
        string_member(*auth->record, schema::kFieldTokenKey) !=
            string_member(event.record, schema::kFieldTokenKey)) {
      client.auth = nullptr;
      replace_topics(client, client.topics);  // into the guests' groups
      continue;
    }
    if (!refreshed) {
      refreshed = std::make_shared<const ClientAuth>(
          ClientAuth{auth->collection_id, auth->record_id,
                     std::make_shared<const json::object>(event.record)});
    }
    client.auth = refreshed;
  }
}

void Registry::prune_deleted_collections() {
  // A deleted collection ends its subscriptions, even when another collection has taken its
  // name since. Checked when the schema version moved: before each delivery (so no event of a
  // newer collection reaches them) and on each sweep.
  auto catalog = broker_.collections().catalog();
  if (catalog->version() == catalog_version_) return;
  catalog_version_ = catalog->version();
  auto gone = [&](const Topic& topic) {
    if (topic.collection_id.empty()) return false;
    const schema::Collection* collection = catalog->find(topic.collection_id);
    return collection == nullptr || collection->created != topic.collection_created;
  };
  for (Client& client : clients_) {
    const auto& topics = *client.topics;
    if (std::none_of(topics.begin(), topics.end(), gone)) continue;
    auto kept = std::make_shared<std::vector<Topic>>();
    for (const Topic& topic : topics) {
      if (!gone(topic)) kept->push_back(topic);
    }
    replace_topics(client, std::move(kept));
  }
}

asio::awaitable<void> Registry::sweep_loop() {
  // One timer per worker, not per client: every tick closes the streams past their idle or
  // lifetime deadline (a stream ends up to one tick late).
  const auto& config = broker_.config();
  const auto interval = std::clamp(std::min(config.idle_timeout, config.max_lifetime) / 4,
                                   kMinSweepInterval, kMaxSweepInterval);
  asio::steady_timer timer(executor_);
  sweep_timer_ = &timer;
  while (!clients_.empty()) {
    timer.expires_after(interval);
    co_await timer.async_wait(kAsTuple);
    prune_deleted_collections();
    const auto now = Client::Clock::now();
    for (Client& client : clients_) {
      if (now - client.last_message() >= config.idle_timeout ||
          now - client.opened() >= config.max_lifetime) {
        client.close();
      }
    }
  }
  sweep_timer_ = nullptr;
  sweeping_ = false;
}

}  // namespace basalt::realtime
