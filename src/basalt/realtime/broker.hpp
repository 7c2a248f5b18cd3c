// Broker: the realtime side of one instance (docs/realtime.md). It serves the streams of
// GET /api/realtime, applies the subscription sets of POST /api/realtime, and delivers the
// record events the Hub brings to the clients whose subscriptions, rules and filters admit
// them.
//
// The event path (docs/architecture.md): the record service's EventBus (writer thread, after
// commit) -> Hub::publish -> the receiver -> one post per worker Registry that has clients ->
// on that worker: index lookup, one rule/filter check per distinct (auth, topic options) group
// (records::RecordService::realtime_record: in memory, or one statement on the read pool),
// JSON once per group, then one queued message per subscribed client.
//
// Threads: client state lives on its stream's worker (registry.hpp). The directory of client
// ids (to find a client's worker from a POST on another worker) and the registry list are the
// only shared state, each under its own mutex, touched on connect, disconnect and POST - never
// per event and client.
//
// Lifecycle: construct before the HTTP server, stop() after Server::shutdown() and before the
// server (and its io_contexts) is destroyed: after stop() nothing is posted to a worker.
#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/config.hpp"
#include "basalt/realtime/client.hpp"
#include "basalt/realtime/hub.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::realtime {

class Registry;

inline constexpr std::size_t kClientIdLength = 40;
// The topic of the SDK's all-in-one OAuth2 flow (oauth2_topic.cpp).
inline constexpr std::string_view kOAuth2Topic = "@oauth2";

class Broker {
 public:
  Broker(records::RecordService& records, collections::CollectionService& collections, Hub& hub,
         core::RealtimeConfig config);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Stops receiving events; call once the HTTP server has shut down.
  void stop();

  // Any thread: closes every open stream, on its worker (the cluster bus was down, so events
  // of other instances may have been missed: docs/scaling.md). The SDK reconnects and
  // subscribes again; PB_CONNECT tells the application to read what it shows afresh.
  void close_all_streams();

  // A slot for one more stream, or nullptr when realtime-max-clients are open. The slot is
  // given back when the last copy of the pointer goes.
  std::shared_ptr<void> reserve_client();

  // The stream of one client, on the calling worker's thread, until the peer or the server
  // closes it (or a deadline or the send bound does). `ip`: the address that opened it;
  // `slot`: from reserve_client(), given back before the client id is forgotten (so a POST
  // that no longer finds the id knows the slot is free).
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket& socket, std::string ip,
                                     std::shared_ptr<void> slot);

  // POST /api/realtime after its body was read and checked: replaces the subscriptions of
  // `client_id` and stores `auth` on it. Throws core::ApiError 404 (unknown client), 400
  // (request from another address than the stream's), 403 (auth differs from the stored one).
  // Runs the change on the client's own worker and resumes on the caller's.
  boost::asio::awaitable<void> set_subscriptions(std::string client_id, std::string ip,
                                                 std::shared_ptr<const ClientAuth> auth,
                                                 std::vector<Topic> topics);

  // GET|POST /api/oauth2-redirect: sends `data` (the redirect's {state, code, error} JSON) as an
  // `@oauth2` message to the client `client_id` when it is subscribed to that topic, then
  // removes the subscription (one redirect per subscription). False when there is no such
  // client or subscription. Runs on the client's worker; resumes on the caller's.
  boost::asio::awaitable<bool> deliver_oauth2(std::string client_id, std::string data);

  // GraphQL change feeds (graphql/subscription_event_feed.hpp): every event the hub brings,
  // this instance's and others', on the thread that delivers it (the writer for LocalHub), in
  // the order the hub delivers them; a listener must not block. While one listens, this
  // instance publishes its events even without realtime streams. Returns an id for unlisten().
  // A delivery already under way may still call a listener once after unlisten() returns (the
  // list is copied on write, never locked while called): a listener owns what it touches.
  using HubListener = std::function<void(const HubEvent&)>;
  std::uint64_t listen(HubListener listener);
  void unlisten(std::uint64_t id);

  // For the registries.
  records::RecordService& records() noexcept { return records_; }
  collections::CollectionService& collections() noexcept { return collections_; }
  const core::RealtimeConfig& config() const noexcept { return config_; }
  void forget(const Client& client);  // removes it from the directory

 private:
  struct Entry {
    Registry* registry;
    std::weak_ptr<Client> client;
    std::string ip;
  };

  Registry& registry_here(const boost::asio::any_io_executor& executor);
  void on_event(HubEvent event);

  records::RecordService& records_;
  collections::CollectionService& collections_;
  Hub& hub_;
  core::RealtimeConfig config_;
  std::uint64_t bus_subscription_ = 0;
  std::atomic<std::size_t> open_clients_{0};

  std::mutex registries_mutex_;  // guards registries_, published_ and stopped_
  std::vector<std::unique_ptr<Registry>> registries_;
  std::uint64_t published_ = 0;  // events passed to on_event so far (their sequence numbers)
  bool stopped_ = false;

  struct Listener {
    std::uint64_t id;
    HubListener call;
  };
  // Copy-on-write: on_event takes the list under the mutex and calls it outside.
  std::mutex listeners_mutex_;  // guards listeners_, next_listener_
  std::shared_ptr<const std::vector<Listener>> listeners_ =
      std::make_shared<const std::vector<Listener>>();
  std::uint64_t next_listener_ = 1;
  std::atomic<std::size_t> listener_count_{0};

  std::mutex directory_mutex_;  // guards directory_
  std::unordered_map<std::string, Entry> directory_;
};

}  // namespace basalt::realtime
