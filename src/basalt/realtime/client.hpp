// Client: one open realtime stream and what it subscribed to.
//
// Ownership: the stream's coroutine (Broker::serve) holds the Client; its worker's Registry
// lists it; a write in flight holds it too. Every member is touched only on that worker's
// thread (the owner), including by POST /api/realtime requests served on other workers, which
// hop to the owner first.
//
// Memory (docs/realtime.md: the target is under 16 KiB per idle client, the connection's
// socket included): no timer (the registry's sweep checks the deadlines), no buffer while
// idle — a write's bytes are released once written unless small.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/intrusive/list_hook.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "basalt/realtime/topic.hpp"

namespace basalt::realtime {

// The auth record a client's subscriptions were set with (spec: stored by the POST).
struct ClientAuth {
  std::string collection_id;
  std::string record_id;
  std::shared_ptr<const boost::json::object> record;  // every field, as stored

  // The grouping key of delivery: clients with the same key see the same records.
  std::string key() const { return collection_id + "/" + record_id; }
};

using TopicSet = std::shared_ptr<const std::vector<Topic>>;

class Client;
struct DeliveryGroup;

// One topic of one client, as delivery needs it: made when the topics are posted, so an event
// costs each subscriber an index hit and an append, nothing computed per client.
struct Subscription {
  Client* client;        // null once retired (a fan-out in progress may still list it)
  const Topic* topic;    // in client->topics; valid while client is set
  DeliveryGroup* group;  // the subscribers that see events the same way (registry.hpp)
  std::string prefix;    // Client::message_prefix(topic->text)
};

// The hook unlinks itself when a Client dies still listed (its stream's coroutine destroyed
// with a stopped io_context, never resumed to detach).
using ClientHook =
    boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

// What the caller of Client::queue() must do so the queued message leaves.
enum class FlushDue {
  kNone,   // nothing: a flush is already arranged (or the client was closed)
  kNow,    // flush() it once the current batch of messages is queued
  kLater,  // flush() it when realtime-flush-interval has passed (it was written to recently)
};

class Client : public std::enable_shared_from_this<Client>, public ClientHook {
 public:
  using Clock = std::chrono::steady_clock;

  Client(std::string id, std::string ip, boost::asio::ip::tcp::socket& socket,
         std::size_t send_limit, Clock::duration flush_interval, Clock::time_point now);

  const std::string& id() const noexcept { return id_; }
  const std::string& ip() const noexcept { return ip_; }
  bool closed() const noexcept { return closed_; }
  bool writing() const noexcept { return writing_; }
  Clock::time_point opened() const noexcept { return opened_; }
  Clock::time_point last_message() const noexcept { return last_message_; }
  // Bytes held for this client: queued plus the write in flight (not yet taken by the kernel).
  std::size_t held_bytes() const noexcept { return pending_.size() + in_flight_.size(); }

  // The bytes every message of `event` to this client starts with (`id:...\nevent:...\ndata:`):
  // made once per subscription, so a message costs one append of it and of the data.
  std::string message_prefix(std::string_view event) const;

  // Queues one SSE message: `prefix` from message_prefix(), then `data`. Past the send limit
  // (counting the write in flight too) the client is closed instead: a slow reader never holds
  // more than the limit, nor stalls anyone else. The first message since the last write asks
  // for a flush (now, or at the end of the flush interval); later ones ride along.
  FlushDue queue(std::string_view prefix, std::string_view data, Clock::time_point now);
  // Starts a write of everything queued; with a write in flight, its completion does.
  void flush();
  void send(std::string_view event, std::string_view data) {
    if (queue(message_prefix(event), data, Clock::now()) != FlushDue::kNone) flush();
  }
  // Closes the socket: the stream's pending read fails and Broker::serve cleans up.
  void close() noexcept;
  // Called by the stream's coroutine once it ended; the socket is not touched again.
  void detach_socket() noexcept { socket_ = nullptr; }

  TopicSet topics;                         // replaced whole by each POST
  std::shared_ptr<const ClientAuth> auth;  // null: guest
  // One per topic, made by the registry (registry.hpp), which also retires them.
  std::vector<std::unique_ptr<Subscription>> subscriptions;

 private:
  void start_write(Clock::time_point now);

  std::string id_;
  std::string ip_;
  boost::asio::ip::tcp::socket* socket_;
  std::size_t send_limit_;
  Clock::duration flush_interval_;
  Clock::time_point opened_;
  Clock::time_point last_message_;
  Clock::time_point last_write_;  // when the last write started
  std::string pending_;           // queued, not yet handed to the socket
  std::string in_flight_;         // the bytes of the write in flight
  bool writing_ = false;
  bool flush_requested_ = false;  // flush() came during a write: its completion writes pending_
  bool closed_ = false;
};

}  // namespace basalt::realtime
