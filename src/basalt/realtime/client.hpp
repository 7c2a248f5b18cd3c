// Client: one open realtime stream and what it subscribed to.
//
// Ownership: the stream's coroutine (Broker::serve) holds the Client; its worker's Registry
// lists it; a write in flight holds it too. Every member is touched only on that worker's
// thread (the owner), including by POST /api/realtime requests served on other workers, which
// hop to the owner first.
//
// Writes (docs/realtime.md, "How delivery works"): the registry's flush pass hands a client
// all of its messages of the pass at once, as pieces that point into the pass's shared message
// data; write() gives them to the kernel in one sendmsg(2) without copying them first. Only
// what the kernel does not take (a slow reader's full socket buffer) is copied into the
// client's own buffer and written asynchronously; later messages queue behind it, so a client
// sees its messages in the order they were handed over.
//
// Memory (docs/realtime.md: the target is under 16 KiB per idle client, the connection's
// socket included): no timer (the registry's sweep checks the deadlines), no buffer while
// idle - a write's bytes are released once written unless small.
#pragma once

#include <sys/uio.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/intrusive/list_hook.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
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
// costs nothing per subscriber until the flush pass writes it (registry.hpp).
struct Subscription {
  Client* client;        // null once retired (a pass in progress may still list it)
  const Topic* topic;    // in client->topics; valid while client is set
  DeliveryGroup* group;  // the subscribers that see events the same way (registry.hpp)
  std::string prefix;    // Client::message_prefix(topic->text)
  // The number of the last event written to it, or, until one is, of the last event whose
  // delivery had started when it was made: it receives only later events (its group's log
  // may hold earlier ones, checked before it joined or already written to it).
  std::uint64_t delivered = 0;
  std::size_t member_slot = 0;  // its place in group->members
};

// The hook unlinks itself when a Client dies still listed (its stream's coroutine destroyed
// with a stopped io_context, never resumed to detach).
using ClientHook =
    boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>>;

class Client : public std::enable_shared_from_this<Client>, public ClientHook {
 public:
  using Clock = std::chrono::steady_clock;

  Client(std::string id, std::string ip, boost::asio::ip::tcp::socket& socket,
         std::size_t send_limit, Clock::time_point now);

  const std::string& id() const noexcept { return id_; }
  const std::string& ip() const noexcept { return ip_; }
  bool closed() const noexcept { return closed_; }
  bool writing() const noexcept { return writing_; }
  Clock::time_point opened() const noexcept { return opened_; }
  Clock::time_point last_message() const noexcept { return last_message_; }
  // Bytes held for this client: queued plus the write in flight (not yet taken by the kernel).
  std::size_t held_bytes() const noexcept { return pending_.size() + in_flight_.size(); }

  // The bytes every message of `event` to this client starts with (`id:...\nevent:...\ndata:`):
  // made once per subscription, so a message costs two pieces: this prefix and the data.
  std::string message_prefix(std::string_view event) const;

  // Writes whole messages given as pieces (a message: its prefix, then data ending in the blank
  // line "\n\n"; the pieces need to stay valid only during the call); `largest_message` is the
  // size of the biggest of them, for the bound: a message bigger than the send limit, or more
  // bytes held than the limit (the ones the kernel did not take, counting the write in flight),
  // closes the client instead - a slow reader never holds more than the limit nor stalls anyone
  // else.
  void write(std::span<const iovec> pieces, std::size_t largest_message, Clock::time_point now);
  // One message outside the passes (PB_CONNECT, the OAuth2 redirect).
  void send(std::string_view event, std::string_view data);
  // Closes the socket: the stream's pending read fails and Broker::serve cleans up.
  void close() noexcept;
  // Called by the stream's coroutine once it ended; the socket is not touched again.
  void detach_socket() noexcept { socket_ = nullptr; }

  TopicSet topics;                         // replaced whole by each POST
  std::shared_ptr<const ClientAuth> auth;  // null: guest
  // One per topic, made by the registry (registry.hpp), which also retires them.
  std::vector<std::unique_ptr<Subscription>> subscriptions;
  // The registry's number of the last flush pass that wrote to this client (written once per
  // pass however many of its subscriptions the pass reaches).
  std::uint64_t pass_mark = 0;

 private:
  // Appends the pieces' bytes from `skip` on to pending_; false (and closed) past the bound.
  bool hold(std::span<const iovec> pieces, std::size_t skip, std::size_t total);
  void start_write();

  std::string id_;
  std::string ip_;
  boost::asio::ip::tcp::socket* socket_;
  std::size_t send_limit_;
  Clock::time_point opened_;
  Clock::time_point last_message_;
  // Invariant: pending_ is empty unless writing_ (a write's completion starts the next).
  std::string pending_;    // queued behind the write in flight
  std::string in_flight_;  // the bytes of the write in flight
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace basalt::realtime
