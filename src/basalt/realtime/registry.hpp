// Registry: one worker thread's realtime clients - their list (for the sweep and for auth
// changes), the index of their subscriptions, and the queue of record events still to deliver
// to them.
//
// Thread ownership: everything here belongs to the worker whose executor the registry holds;
// other threads reach it only by posting to that executor (Broker::on_event posts each event
// once per registry, never once per client). The sweep and the delivery coroutines run only
// while there is something to do (clients, queued events, deferred flushes), so a drained
// worker has no pending work left and its io_context can end.
//
// Delivery of one event (docs/realtime.md "How delivery works"): the index gives the matching
// Subscriptions; each names its DeliveryGroup (made when the topics were posted), so the
// distinct checks are found without building anything per client; each group is checked once;
// then every subscriber gets its pre-made prefix and the group's data appended, in slices
// (slice.hpp) with a yield between them, so requests on this worker are not held for a whole
// fan-out. Subscriptions and groups retired while a fan-out is suspended are kept until
// it ends (the fan-out holds raw pointers to them).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "basalt/realtime/client.hpp"
#include "basalt/realtime/hub.hpp"
#include "basalt/realtime/subscription_index.hpp"

namespace basalt::realtime {

class Broker;

// The subscribers that see an event the same way: same auth record, same topic kind and
// options (Topic::check_key). Interned per registry when topics are posted; counted by the
// subscriptions that point to it.
struct DeliveryGroup {
  std::string key;
  TopicSet topics;  // holds the representative topic (*topics)[topic_index]
  std::size_t topic_index = 0;
  std::size_t members = 0;
  // Scratch of the fan-out in progress: the event it was last seen by, and its check's slot.
  std::uint64_t event = 0;
  std::size_t slot = 0;
};

class Registry {
 public:
  Registry(Broker& broker, boost::asio::any_io_executor executor)
      : broker_(broker), executor_(std::move(executor)) {}

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
  boost::asio::awaitable<void> deferred_flush_loop();
  void follow_auth(const records::RecordEvent& event);
  void arrange_flush(Client& client, FlushDue due);
  void prune_deleted_collections();
  void subscribe(Client& client);    // makes client.subscriptions from client.topics
  void unsubscribe(Client& client);  // retires them
  DeliveryGroup* join_group(const Client& client, std::size_t topic_index);
  void leave_group(DeliveryGroup* group);
  void end_fan_out();

  std::uint64_t catalog_version_ = 0;  // of the last prune
  Broker& broker_;
  boost::asio::any_io_executor executor_;
  boost::intrusive::list<Client, boost::intrusive::constant_time_size<false>> clients_;
  SubscriptionIndex<Subscription> index_;
  std::deque<HubEvent> events_;
  std::unordered_map<std::string, std::unique_ptr<DeliveryGroup>> groups_;
  std::uint64_t event_count_ = 0;  // numbers the fan-outs (DeliveryGroup::event)
  bool fanning_out_ = false;       // a fan-out holds Subscription and DeliveryGroup pointers
  std::vector<std::unique_ptr<Subscription>> retired_subscriptions_;  // freed when it ends
  std::vector<std::unique_ptr<DeliveryGroup>> retired_groups_;
  // Clients written to within the flush interval: flushed by deferred_flush_loop at the next
  // tick (each at most one interval late).
  std::vector<std::shared_ptr<Client>> deferred_;
  bool deferring_ = false;  // deferred_flush_loop runs
  bool delivering_ = false;
  bool sweeping_ = false;
  boost::asio::steady_timer* sweep_timer_ = nullptr;  // in sweep_loop's frame while it runs
};

}  // namespace basalt::realtime
