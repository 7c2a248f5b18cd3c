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

class Client : public std::enable_shared_from_this<Client>,
               public boost::intrusive::list_base_hook<> {
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

  // Queues one SSE message (`id:`, `event:`, `data:` lines) and starts a write when none is in
  // flight. Past the send limit the client is closed instead: a slow reader never holds more
  // than the limit, nor stalls anyone else.
  void send(std::string_view event, std::string_view data);
  // Closes the socket: the stream's pending read fails and Broker::serve cleans up.
  void close() noexcept;
  // Called by the stream's coroutine once it ended; the socket is not touched again.
  void detach_socket() noexcept { socket_ = nullptr; }

  TopicSet topics;                         // replaced whole by each POST
  std::shared_ptr<const ClientAuth> auth;  // null: guest

 private:
  void start_write();

  std::string id_;
  std::string ip_;
  boost::asio::ip::tcp::socket* socket_;
  std::size_t send_limit_;
  Clock::time_point opened_;
  Clock::time_point last_message_;
  std::string pending_;    // queued, not yet handed to the socket
  std::string in_flight_;  // the bytes of the write in flight
  bool writing_ = false;
  bool closed_ = false;
};

}  // namespace basalt::realtime
