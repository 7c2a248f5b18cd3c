// Hub: how record events reach the realtime broker of every instance of a deployment. The
// broker publishes what its own record service committed and receives what any instance
// published (its own included), and never assumes the two are the same process: an event is
// a self-contained value (collection id and name, action, the record as stored), the receiver
// may be called from any thread, and nothing is shared with the publisher but the event.
//
// LocalHub is the one-process implementation: publish() hands the event straight to the
// receiver on the publishing thread. Later implementations (PostgreSQL LISTEN/NOTIFY, Redis,
// NATS) serialize the event and call the receiver from their own thread.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "basalt/records/event_bus.hpp"

namespace basalt::realtime {

using HubEvent = std::shared_ptr<const records::RecordEvent>;

class Hub {
 public:
  using Receiver = std::function<void(HubEvent)>;

  virtual ~Hub() = default;
  // Sends `event` to every instance, this one included. Must not block for long: it is called
  // on the writer thread after a commit.
  virtual void publish(HubEvent event) = 0;
  // Sets (or, with nullptr, clears) who receives events; after clearing returns, the previous
  // receiver is no longer running and is never called again.
  virtual void set_receiver(Receiver receiver) = 0;
  // Whether publish() reaches other instances. When it does not, an instance with no realtime
  // client skips publishing: nobody could receive the event.
  virtual bool reaches_other_instances() const noexcept = 0;
};

class LocalHub final : public Hub {
 public:
  void publish(HubEvent event) override {
    std::lock_guard lock(mutex_);  // uncontended but for set_receiver
    if (receiver_) receiver_(std::move(event));
  }
  void set_receiver(Receiver receiver) override {
    std::lock_guard lock(mutex_);
    receiver_ = std::move(receiver);
  }
  bool reaches_other_instances() const noexcept override { return false; }

 private:
  std::mutex mutex_;
  Receiver receiver_;
};

}  // namespace basalt::realtime
