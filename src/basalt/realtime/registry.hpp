// Registry: one worker thread's realtime clients - their list (for the sweep and for auth
// changes), the index of their subscriptions, and the queue of record events still to deliver
// to them.
//
// Thread ownership: everything here belongs to the worker whose executor the registry holds;
// other threads reach it only by posting to that executor (Broker::on_event posts each event
// once per registry, never once per client). The sweep and the delivery coroutines run only
// while there is something to do (clients, queued events), so a drained worker has no pending
// work left and its io_context can end.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>
#include <cstdint>
#include <deque>
#include <memory>

#include "basalt/realtime/client.hpp"
#include "basalt/realtime/hub.hpp"
#include "basalt/realtime/subscription_index.hpp"

namespace basalt::realtime {

class Broker;

class Registry {
 public:
  Registry(Broker& broker, boost::asio::any_io_executor executor)
      : broker_(broker), executor_(std::move(executor)) {}
  ~Registry() { clients_.clear(); }

  const boost::asio::any_io_executor& executor() const noexcept { return executor_; }

  // On the owner thread.
  void attach(Client& client);
  void detach(Client& client);  // also removes its subscriptions from the index
  void replace_topics(Client& client, TopicSet topics);
  void enqueue(HubEvent event);

 private:
  boost::asio::awaitable<void> deliver_loop();
  boost::asio::awaitable<void> deliver(const records::RecordEvent& event);
  boost::asio::awaitable<void> sweep_loop();
  void follow_auth(const records::RecordEvent& event);
  void prune_deleted_collections();

  std::uint64_t catalog_version_ = 0;  // of the last prune
  Broker& broker_;
  boost::asio::any_io_executor executor_;
  boost::intrusive::list<Client, boost::intrusive::constant_time_size<false>> clients_;
  SubscriptionIndex<Client> index_;
  std::deque<HubEvent> events_;
  bool delivering_ = false;
  bool sweeping_ = false;
  boost::asio::steady_timer* sweep_timer_ = nullptr;  // in sweep_loop's frame while it runs
};

}  // namespace basalt::realtime
