#include "basalt/realtime/registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cassert>
#include <unordered_map>

#include "basalt/core/api_error.hpp"
#include "basalt/http/json_fields.hpp"
#include "basalt/metrics/thread_block.hpp"
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
// A client's messages of one pass up to this size are assembled in one buffer before the write
// (write_pass); the buffer is the registry's, reused, so it stays this small.
constexpr std::size_t kAssembledPassBytes = 64 * 1024;

std::string_view string_member(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view{};
}

// This worker's share of the realtime metrics (metrics/thread_block.hpp): the registry's
// thread owns the block it writes.
void count_client(std::int64_t change) noexcept {
  if (!metrics::enabled()) return;
  metrics::local().stream_clients[metrics::index(metrics::Stream::kRealtime)].add(change);
}

// Messages of one write pass: handed to the kernel or queued (delivered), or lost with a
// client the write closed (it fell behind past its send buffer, or its socket broke).
void count_messages(std::size_t messages, bool delivered) noexcept {
  if (!metrics::enabled() || messages == 0) return;
  metrics::ThreadBlock& block = metrics::local();
  auto& cells = delivered ? block.events_delivered : block.events_dropped;
  cells[metrics::index(metrics::Stream::kRealtime)].add(messages);
}

}  // namespace

void Registry::attach(Client& client) {
  clients_.push_back(client);
  count_client(+1);
  if (sweeping_) return;
  sweeping_ = true;
  asio::co_spawn(executor_, sweep_loop(), asio::detached);
}

void Registry::detach(Client& client) {
  unsubscribe(client);
  client.topics = std::make_shared<const std::vector<Topic>>();
  clients_.erase(clients_.iterator_to(client));
  count_client(-1);
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
    DeliveryGroup* group = join_group(client, i);
    auto subscription = std::make_unique<Subscription>(
        Subscription{&client, &topics[i], group, client.message_prefix(topics[i].text),
                     event_count_, group->members.size()});
    group->members.push_back(subscription.get());
    client.subscriptions.push_back(std::move(subscription));
  }
}

void Registry::unsubscribe(Client& client) {
  for (auto& subscription : client.subscriptions) {
    leave_group(*subscription);
    subscription->client = nullptr;
    if (holds_ > 0) retired_subscriptions_.push_back(std::move(subscription));
  }
  client.subscriptions.clear();
}

DeliveryGroup* Registry::join_group(const Client& client, std::size_t topic_index) {
  // Auth, check key and index key: members of one group see the same events the same way.
  const Topic& topic = (*client.topics)[topic_index];
  std::string key = client.auth ? client.auth->key() : std::string();
  key.append(1, '\x01').append(topic.check_key).append(1, '\x01').append(topic.collection);
  if (topic.view()) key.append(1, '/').append(topic.record_id);
  auto& slot = groups_[key];
  if (!slot) {
    slot = std::make_unique<DeliveryGroup>();
    slot->key = std::move(key);
    slot->topics = client.topics;
    slot->topic_index = topic_index;
    index_.add(slot->topic(), slot.get());
  }
  return slot.get();
}

void Registry::leave_group(Subscription& subscription) {
  DeliveryGroup* group = subscription.group;
  auto& members = group->members;
  Subscription* last = members.back();
  members[subscription.member_slot] = last;
  last->member_slot = subscription.member_slot;
  members.pop_back();
  if (!members.empty()) return;
  index_.remove(group->topic(), group);
  if (group->dirty) {
    dirty_groups_.erase(std::find(dirty_groups_.begin(), dirty_groups_.end(), group));
  }
  auto found = groups_.find(group->key);
  if (holds_ > 0) retired_groups_.push_back(std::move(found->second));
  groups_.erase(found);
}

void Registry::release_hold() {
  if (--holds_ > 0) return;
  retired_subscriptions_.clear();
  retired_groups_.clear();
}

void Registry::enqueue(HubEvent event, std::uint64_t sequence) {
  if (!reorder_.push(sequence, std::move(event),
                     [this](HubEvent next) { accept(std::move(next)); }))
    spdlog::error("realtime: event {} reached this worker twice; dropped", sequence);
}

void Registry::close_clients() {
  for (Client& client : clients_) client.close();
}

void Registry::accept(HubEvent event) {
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
  // One event at a time, in publication order (enqueue): a client sees events in that order.
  while (!events_.empty()) {
    HubEvent event = std::move(events_.front());
    events_.pop_front();
    ++holds_;
    try {
      co_await deliver(*event);
    } catch (const std::exception& error) {
      spdlog::warn("realtime: delivering an event of {} failed: {}", event->collection_name,
                   error.what());
    }
    // Also after a failure: the groups checked before it keep their messages, and they leave
    // now rather than with the next event.
    start_flush();
    release_hold();
  }
  delivering_ = false;
}

asio::awaitable<void> Registry::deliver(const records::RecordEvent& event) {
  prune_deleted_collections();
  follow_auth(event);
  const std::string record_id(string_member(event.record, schema::kFieldId));

  // The groups the event reaches; nothing per subscriber. A group sits under one index key,
  // but the event looks keys up by its collection's id and by its name: each is taken once.
  const std::uint64_t event_number = ++event_count_;
  std::vector<DeliveryGroup*> reached;
  index_.for_each_match(event.collection_id, event.collection_name, record_id,
                        [&](DeliveryGroup* group) {
                          if (group->event == event_number) return;
                          group->event = event_number;
                          reached.push_back(group);
                        });
  if (reached.empty()) co_return;

  const std::string_view action = records::record_action_name(event.action);
  Slice slice;
  for (DeliveryGroup* group : reached) {
    if (slice.spent()) {
      co_await asio::post(executor_, asio::use_awaitable);
      slice.restart();
    }
    // Retired while this delivery was suspended (its last member left): nobody to tell.
    if (group->members.empty()) continue;
    // The group's representative topic, held by this copy of its set across the awaits; the
    // auth of a member as of this event (members share its key; follow_auth keeps it fresh).
    const TopicSet topics = group->topics;
    const Topic& topic = (*topics)[group->topic_index];
    const std::shared_ptr<const ClientAuth> auth = group->members.front()->client->auth;
    auto catalog = broker_.collections().catalog();
    records::Caller caller;
    if (auth) {
      // An auth collection deleted since the POST leaves a guest.
      caller.collection = catalog->find(auth->collection_id);
      if (caller.collection) caller.record = auth->record.get();
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
    if (!result || group->members.empty()) continue;
    std::string record;
    records::write_record(record, result->record, caller.is_superuser());
    if (!topic.fields.empty()) {
      try {
        record = http::project_json(record, http::parse_fields(topic.fields), false);
      } catch (const core::ApiError&) {
        // an invalid `fields` option sends the whole record, as a bad fields spec is ignored
      }
    }
    GroupMessage message{event_number, {}};
    message.data.reserve(record.size() + 34);
    message.data.append("{\"record\":")
        .append(record)
        .append(",\"action\":\"")
        .append(action)
        .append("\"}\n\n");
    group->log.push_back(std::move(message));
    if (!group->dirty) {
      group->dirty = true;
      dirty_groups_.push_back(group);
    }
  }
}

void Registry::start_flush() {
  if (dirty_groups_.empty() || flushing_) return;
  flushing_ = true;
  asio::co_spawn(executor_, flush_loop(), asio::detached);
}

asio::awaitable<void> Registry::flush_loop() {
  // Passes, while messages wait. Each visits every subscriber of the groups with unwritten
  // messages once, in slices with yields (requests and deliveries interleave), and writes it
  // what it lacks at that moment, messages checked during the pass included. A pass starts one
  // interval after the previous one started, or at once when that one took longer or the
  // worker was quiet: a lone message leaves at once, and under a stream of events every client
  // gets one write per pass.
  asio::steady_timer timer(executor_);
  std::vector<Subscription*> targets;
  while (!dirty_groups_.empty()) {
    const auto due = last_pass_start_ + broker_.config().flush_interval;
    if (Client::Clock::now() < due) {
      timer.expires_at(due);
      co_await timer.async_wait(kAsTuple);
      if (dirty_groups_.empty()) break;  // their last members left meanwhile
    }
    last_pass_start_ = Client::Clock::now();
    const std::uint64_t pass = ++pass_count_;
    std::vector<DeliveryGroup*> groups;
    groups.swap(dirty_groups_);
    targets.clear();
    for (DeliveryGroup* group : groups) {
      // A message checked from now on marks the group dirty again, for the next pass.
      // Invariant: a dirty group's log is not empty (only a pass that took the group drops
      // messages, and only those checked before it did; leave_group unlists a retired group).
      group->dirty = false;
      assert(!group->log.empty());
      if (group->log.empty()) continue;
      group->written_through = group->log.back().event;
      targets.insert(targets.end(), group->members.begin(), group->members.end());
    }
    ++holds_;
    Slice slice;
    for (Subscription* subscription : targets) {
      // Retired during a suspension: its client, if still open, is reached through another.
      Client* client = subscription->client;
      if (client != nullptr && client->pass_mark != pass) {
        client->pass_mark = pass;
        write_pass(*client, slice.started());
      }
      if (slice.spent()) {
        co_await asio::post(executor_, asio::use_awaitable);
        slice.restart();
      }
    }
    // Every member as of the start was visited after it: what the logs held then is written.
    for (DeliveryGroup* group : groups) drop_written(*group);
    release_hold();
  }
  flushing_ = false;
}

void Registry::write_pass(Client& client, Client::Clock::time_point now) {
  // Everything the client's groups hold that it has not had, in one write.
  pass_messages_.clear();
  take_unwritten(client.subscriptions, pass_messages_);
  if (pass_messages_.empty()) return;
  std::size_t total = 0;
  std::size_t largest = 0;
  for (const PassMessage& message : pass_messages_) {
    const std::size_t size = message.prefix->size() + message.data->size();
    total += size;
    largest = std::max(largest, size);
  }
  pass_pieces_.clear();
  if (total <= kAssembledPassBytes) {
    // Copied together first: the kernel then copies one segment instead of two per message,
    // which costs less than its per-segment work for messages of a few hundred bytes.
    pass_bytes_.clear();
    for (const PassMessage& message : pass_messages_) {
      pass_bytes_.append(*message.prefix).append(*message.data);
    }
    pass_pieces_.push_back({pass_bytes_.data(), pass_bytes_.size()});
  } else {
    for (const PassMessage& message : pass_messages_) {
      pass_pieces_.push_back({const_cast<char*>(message.prefix->data()), message.prefix->size()});
      pass_pieces_.push_back({const_cast<char*>(message.data->data()), message.data->size()});
    }
  }
  const bool was_open = !client.closed();
  client.write(pass_pieces_, largest, now);
  count_messages(pass_messages_.size(), was_open && !client.closed());
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
