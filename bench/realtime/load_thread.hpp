// One client thread: its own io_context, a share of the SSE clients, the keep-alive
// connections that POST their subscriptions, and one 10 ms tick that opens streams at the ramp
// rate (new ones first time, dropped ones again after kReopenDelay) with at most
// kMaxOpening streams between connect and subscription at once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "client_stats.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "readiness_set.hpp"
#include "sse_client.hpp"
#include "subscription_pool.hpp"

namespace rtbench {

class LoadThread {
 public:
  LoadThread(const Options& options, const boost::asio::ip::tcp::endpoint& endpoint,
             Progress& progress, std::uint32_t clients, double ramp_per_second);
  ~LoadThread();
  LoadThread(const LoadThread&) = delete;
  LoadThread& operator=(const LoadThread&) = delete;

  void start();
  // From another thread: every client that has received `events` record messages counts as
  // complete (Progress::complete) from now on.
  void set_event_target(std::uint32_t events);
  // From another thread: closes every stream, stops the io_context and joins.
  void stop();

  // Read after stop().
  const ClientStats& stats_after_stop() const { return stats_; }
  const std::vector<std::unique_ptr<SseClient>>& clients() const { return clients_; }

  // For the clients and the pool, on this thread.
  boost::asio::io_context& context() { return context_; }
  const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  const std::string& stream_request() const { return stream_request_; }
  std::span<char> read_buffer() { return read_buffer_; }
  ReadinessSet& readiness() { return readiness_; }
  ClientStats& stats() { return stats_; }
  std::uint32_t event_target() const { return event_target_; }
  SseClient& client(std::uint32_t index) { return *clients_[index]; }
  void request_subscription(std::uint32_t index, std::uint32_t generation);
  void opening_done() { --opening_; }
  void first_subscription() { progress_.add_subscribed(); }
  void client_complete() { progress_.add_complete(); }
  void reopen_later(std::uint32_t index);

 private:
  static constexpr std::uint32_t kMaxOpening = 256;
  static constexpr auto kTick = std::chrono::milliseconds(10);
  static constexpr auto kReopenDelay = std::chrono::milliseconds(250);

  void schedule_tick();
  void tick();

  boost::asio::io_context context_{1};  // declared first: destroyed after everything using it
  boost::asio::ip::tcp::endpoint endpoint_;
  Progress& progress_;
  std::string stream_request_;
  std::vector<char> read_buffer_;
  ReadinessSet readiness_{context_};
  std::vector<std::unique_ptr<SseClient>> clients_;
  SubscriptionPool pool_;
  boost::asio::steady_timer tick_timer_;
  ClientStats stats_;
  double ramp_per_tick_;
  double ramp_allowance_ = 0;
  std::uint32_t next_new_ = 0;
  std::uint32_t opening_ = 0;
  std::uint32_t event_target_ = 0;
  bool stopping_ = false;
  struct Reopen {
    std::chrono::steady_clock::time_point due;
    std::uint32_t index;
  };
  std::deque<Reopen> reopen_;  // in due order: every delay is the same
  std::thread thread_;
};

}  // namespace rtbench
