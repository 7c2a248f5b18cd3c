// The POST /api/realtime requests of one thread's clients, on a few keep-alive connections
// (a stream's own connection is busy with the stream). A client whose PB_CONNECT arrived is
// queued; a connection takes it, posts `{"clientId":…,"subscriptions":["<collection>/*"]}` and
// tells the client whether the answer was 204. Runs on the owning LoadThread's io_context.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <string>

#include "options.hpp"

namespace rtbench {

class LoadThread;

class SubscriptionPool {
 public:
  SubscriptionPool(LoadThread& host, const Options& options);

  void start();
  void push(std::uint32_t index, std::uint32_t generation);
  void stop();

 private:
  struct Job {
    std::uint32_t index;
    std::uint32_t generation;
  };

  boost::asio::awaitable<void> run_connection();
  std::string body_for(const std::string& client_id) const;

  LoadThread& host_;
  std::string host_header_;
  std::string topic_;
  std::uint32_t connections_;
  std::deque<Job> queue_;
  // Never expires: connections with nothing to do wait on it, push() cancels the wait.
  boost::asio::steady_timer wake_;
  std::uint32_t refusals_printed_ = 0;
  bool stopping_ = false;
};

}  // namespace rtbench
