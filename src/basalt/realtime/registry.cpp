#include "basalt/realtime/registry.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <unordered_map>

#include "basalt/core/api_error.hpp"
#include "basalt/http/json_fields.hpp"
#include "basalt/realtime/broker.hpp"
#include "basalt/records/record_writer.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::realtime {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::chrono::milliseconds kMaxSweepInterval{1000};
constexpr std::chrono::milliseconds kMinSweepInterval{10};
// Events waiting on one worker. Delivery runs behind the writer only while checks wait on the
// read pool; past this many the worker's clients are disconnected (the SDK reconnects) rather
// than the queue growing without bound.
constexpr std::size_t kMaxQueuedEvents = 10'000;

std::string_view string_member(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view{};
}

bool topic_matches(const Topic& topic, const records::RecordEvent& event,
                   std::string_view record_id) {
  if (topic.collection != event.collection_id && topic.collection != event.collection_name) {
    return false;
  }
  return !topic.view() || topic.record_id == record_id;
}

// One (client, topic) that an event reaches.
struct Target {
  std::shared_ptr<Client> client;
  const Topic* topic;
};

// Targets that see the event the same way: same auth record, same rule kind and options.
struct Group {
  std::shared_ptr<const ClientAuth> auth;
  const Topic* topic;
  std::vector<Target> targets;
};

}  // namespace

void Registry::attach(Client& client) {
  clients_.push_back(client);
  if (sweeping_) return;
  sweeping_ = true;
  asio::co_spawn(executor_, sweep_loop(), asio::detached);
}

void Registry::detach(Client& client) {
  for (const Topic& topic : *client.topics) index_.remove(topic, &client);
  client.topics = std::make_shared<const std::vector<Topic>>();
  clients_.erase(clients_.iterator_to(client));
  // The last client gone: the sweep ends now, so a draining worker is not held for a tick.
  if (clients_.empty() && sweep_timer_ != nullptr) sweep_timer_->cancel();
}

void Registry::replace_topics(Client& client, TopicSet topics) {
  for (const Topic& topic : *client.topics) index_.remove(topic, &client);
  for (const Topic& topic : *topics) index_.add(topic, &client);
  client.topics = std::move(topics);
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
    try {
      co_await deliver(*event);
    } catch (const std::exception& error) {
      spdlog::warn("realtime: delivering an event of {} failed: {}", event->collection_name,
                   error.what());
    }
  }
  delivering_ = false;
}

asio::awaitable<void> Registry::deliver(const records::RecordEvent& event) {
  follow_auth(event);
  const std::string record_id(string_member(event.record, schema::kFieldId));

  std::vector<Client*> matched;
  index_.for_each_match(event.collection_id, event.collection_name, record_id,
                        [&](Client* client) { matched.push_back(client); });
  if (matched.empty()) co_return;
  std::sort(matched.begin(), matched.end());
  matched.erase(std::unique(matched.begin(), matched.end()), matched.end());

  // Group the (client, topic) pairs so that each distinct check runs once per event.
  std::vector<TopicSet> held;  // keeps every Topic* below alive across the awaits
  std::vector<Group> groups;
  std::unordered_map<std::string, std::size_t> group_of;
  for (Client* client : matched) {
    if (client->closed()) continue;
    held.push_back(client->topics);
    for (const Topic& topic : *client->topics) {
      if (!topic_matches(topic, event, record_id)) continue;
      std::string key = client->auth ? client->auth->key() : std::string();
      key += '\x01';
      key += topic.check_key();
      auto [slot, inserted] = group_of.try_emplace(std::move(key), groups.size());
      if (inserted) groups.push_back(Group{client->auth, &topic, {}});
      groups[slot->second].targets.push_back(Target{client->shared_from_this(), &topic});
    }
  }

  const std::string_view action = records::record_action_name(event.action);
  for (const Group& group : groups) {
    auto catalog = broker_.collections().catalog();
    records::Caller caller;
    if (group.auth) {
      // An auth collection deleted since the POST leaves a guest.
      caller.collection = catalog->find(group.auth->collection_id);
      if (caller.collection) caller.record = group.auth->record.get();
    }
    const Topic& topic = *group.topic;
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
    std::string data;
    data.reserve(record.size() + 32);
    data.append("{\"record\":")
        .append(record)
        .append(",\"action\":\"")
        .append(action)
        .append("\"}");
    for (const Target& target : group.targets) target.client->send(target.topic->text, data);
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
  // A deleted collection ends its subscriptions (checked when the schema version moves).
  auto catalog = broker_.collections().catalog();
  if (catalog->version() == catalog_version_) return;
  catalog_version_ = catalog->version();
  for (Client& client : clients_) {
    const auto& topics = *client.topics;
    const bool stale = std::any_of(topics.begin(), topics.end(), [&](const Topic& topic) {
      return catalog->find(topic.collection) == nullptr;
    });
    if (!stale) continue;
    auto kept = std::make_shared<std::vector<Topic>>();
    for (const Topic& topic : topics) {
      if (catalog->find(topic.collection) != nullptr) kept->push_back(topic);
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
  catalog_version_ = broker_.collections().catalog()->version();
  asio::steady_timer timer(executor_);
  sweep_timer_ = &timer;
  while (!clients_.empty()) {
    timer.expires_after(interval);
    co_await timer.async_wait(kUseTuple);
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
