// Registry: one worker thread's realtime clients - their list (for the sweep and for auth
// changes), the index of their delivery groups, the queue of record events still to check, and
// the flush pass that writes the checked messages.
//
// Thread ownership: everything here belongs to the worker whose executor the registry holds;
// other threads reach it only by posting to that executor (Broker::on_event posts each event
// once per registry, never once per client). The sweep, the delivery and the flush coroutines
// run only while there is something to do (clients, queued events, messages to write), so a
// drained worker has no pending work left and its io_context can end.
//
// Delivery (docs/realtime.md "How delivery works") has two steps, so per subscriber the cost is
// per write, not per event:
//  1. deliver(): the index gives the DeliveryGroups an event reaches (a group: the subscribers
//     under one index key that see events the same way, made when the topics were posted);
//     each is checked once and, when the record is visible to it, the message data is appended
//     to the group's `log`. Nothing is done per subscriber.
//  2. flush_loop(): passes. A pass visits every subscriber of the groups with unwritten
//     messages and writes each one, in one sendmsg(2), everything its groups hold that it has
//     not had yet (Subscription::delivered) - including messages checked while the pass runs,
//     so under load a message waits at most one pass (the writer comes round to every client
//     once per pass), not the rest of the current pass plus the next one. The bytes are
//     assembled from the groups' shared data in one reused buffer (no buffer per client), in
//     commit order per client. Passes start at least realtime-flush-interval apart; one that
//     starts late (the previous one took longer, or the worker was busy) carries everything
//     that arrived meanwhile - group commit - so the writes per client per second adapt to
//     what the worker can do. What a group's log holds and when a pass drops it:
//     delivery_group.hpp.
// Both run in slices (slice.hpp) with a yield between them, so requests on this worker are
// not held for a whole fan-out. Subscriptions and groups retired while either is suspended are
// kept until both have ended (they hold raw pointers to them).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/intrusive/list.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "basalt/realtime/client.hpp"
#include "basalt/realtime/delivery_group.hpp"
#include "basalt/realtime/hub.hpp"
#include "basalt/realtime/sequence_reorder.hpp"
#include "basalt/realtime/subscription_index.hpp"

namespace basalt::realtime {

class Broker;

class Registry {
 public:
  // `next_sequence`: the Broker's number of the first event this registry will be sent.
  Registry(Broker& broker, boost::asio::any_io_executor executor, std::uint64_t next_sequence)
      : broker_(broker), executor_(std::move(executor)), reorder_(next_sequence) {}

  const boost::asio::any_io_executor& executor() const noexcept { return executor_; }

  // On the owner thread.
  void attach(Client& client);
  void detach(Client& client);  // also removes its subscriptions from the index
  void replace_topics(Client& client, TopicSet topics);
  // `sequence` is the Broker's publication number of the event (1, 2, ... in the order
  // Broker::on_event was called, which is commit order). Posts from several threads can reach
  // this executor in another order - Asio queues a post made from the owner thread itself
  // privately until its current handler returns, behind posts other threads made meanwhile -
  // so an event that arrives early waits here for the ones before it.
  void enqueue(HubEvent event, std::uint64_t sequence);
  // Closes every stream of this worker (events may have been missed: the SDK reconnects,
  // subscribes again and sees a new PB_CONNECT).
  void close_clients();

 private:
  void accept(HubEvent event);  // the next event in publication order
  boost::asio::awaitable<void> deliver_loop();
  boost::asio::awaitable<void> deliver(const records::RecordEvent& event);
  boost::asio::awaitable<void> sweep_loop();
  boost::asio::awaitable<void> flush_loop();
  void start_flush();  // spawns flush_loop unless it runs or nothing waits
  // Writes one client everything its groups hold that it has not had yet.
  void write_pass(Client& client, Client::Clock::time_point now);
  void follow_auth(const records::RecordEvent& event);
  void prune_deleted_collections();
  void subscribe(Client& client);    // makes client.subscriptions from client.topics
  void unsubscribe(Client& client);  // retires them
  DeliveryGroup* join_group(const Client& client, std::size_t topic_index);
  void leave_group(Subscription& subscription);
  void release_hold();  // a delivery or a pass ended: retired objects may go once none runs

  std::uint64_t catalog_version_ = 0;  // of the last prune
  Broker& broker_;
  boost::asio::any_io_executor executor_;
  boost::intrusive::list<Client, boost::intrusive::constant_time_size<false>> clients_;
  SubscriptionIndex<DeliveryGroup> index_;
  std::deque<HubEvent> events_;
  SequenceReorder<HubEvent> reorder_;  // events arrive here in any order, leave in sequence
  std::unordered_map<std::string, std::unique_ptr<DeliveryGroup>> groups_;
  std::uint64_t event_count_ = 0;  // numbers the deliveries (DeliveryGroup::event)
  // Deliveries and passes in progress: they hold Subscription and DeliveryGroup pointers.
  int holds_ = 0;
  std::vector<std::unique_ptr<Subscription>> retired_subscriptions_;  // freed when none holds
  std::vector<std::unique_ptr<DeliveryGroup>> retired_groups_;
  std::vector<DeliveryGroup*> dirty_groups_;  // with unwritten messages, for the next pass
  std::uint64_t pass_count_ = 0;              // numbers the passes (Client::pass_mark)
  Client::Clock::time_point last_pass_start_{};
  // Scratch of write_pass, reused: one client's messages of the pass, their pieces, and their
  // bytes when assembled.
  std::vector<PassMessage> pass_messages_;
  std::vector<iovec> pass_pieces_;
  std::string pass_bytes_;
  bool flushing_ = false;  // flush_loop runs
  bool delivering_ = false;
  bool sweeping_ = false;
  boost::asio::steady_timer* sweep_timer_ = nullptr;  // in sweep_loop's frame while it runs
};

}  // namespace basalt::realtime
