// BusMessages: what every ClusterBus over a network transport shares (docs/scaling.md): the
// instance id, the envelope a payload carries, the outbox publish() fills, the handler table
// and the dispatch of a received payload. The transports (PgNotifyBus, RedisBus, NatsBus) only
// move payloads; the framing, the size limits and the overflow rule are these, once.
//
// Envelope: {"i":"<instance>","m":[{"t":"<topic>","b":<body>},...]} — several messages packed
// up to kMaxPayloadBytes — or, after an overflow, {"i":"<instance>","resync":true}.
//
// Invariants:
//  1. Every payload names the instance that sent it; dispatch() ignores this instance's own
//     (a transport may echo them back).
//  2. At most kMaxQueued messages wait; one more empties the outbox, and the next
//     take_payloads() yields one payload asking every instance to resync instead.
//  3. dispatch() and resync() never throw: a failing handler is logged (its topic, never a
//     body: bodies hold record data) and the next one runs.
// Thread safety: queue()/woken()/take_payloads() from any thread; subscribe()/on_resync()
// before the transport starts; dispatch()/resync() on one thread at a time (the bus's).
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/cluster/cluster_bus.hpp"

namespace basalt::cluster {

// One payload at most: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; the other
// transports keep the same limit so that every bus carries the same messages.
inline constexpr std::size_t kMaxPayloadBytes = 7900;

class BusMessages {
 public:
  static constexpr std::size_t kMaxQueued = 10'000;

  BusMessages();
  BusMessages(const BusMessages&) = delete;
  BusMessages& operator=(const BusMessages&) = delete;

  const std::string& instance_id() const noexcept { return instance_; }
  void subscribe(std::string topic, ClusterBus::Handler handler);
  void on_resync(std::function<void()> handler);

  // Queues a message. False (nothing queued) for a body over kMaxMessageBytes. `wake` is set
  // when the transport has to be woken: no wake-up is pending since its last woken().
  bool queue(std::string_view topic, std::string_view body, bool& wake);
  // The transport took the pending wake-up; call it before take_payloads().
  void woken();
  // The queued messages as payloads of at most kMaxPayloadBytes, oldest first (invariant 2).
  std::vector<std::string> take_payloads();

  void dispatch(std::string_view payload) const;
  void resync() const;

 private:
  const std::string instance_;
  std::unordered_map<std::string, ClusterBus::Handler> handlers_;
  std::vector<std::function<void()>> resync_handlers_;

  std::mutex mutex_;                // guards outbox_, overflowed_, wake_pending_
  std::deque<std::string> outbox_;  // messages, `{"t":..,"b":..}`, oldest first
  bool overflowed_ = false;
  bool wake_pending_ = false;
};

// The delay before reconnecting, the same for every transport: doubling from 100 ms to 2 s,
// plus up to half of it at random (instances that lost the same server do not return at once).
class ReconnectBackoff {
 public:
  static constexpr std::chrono::milliseconds kFirst{100};
  static constexpr std::chrono::milliseconds kMax{2000};

  ReconnectBackoff();
  // The delay before attempt `attempt` (1 = the first after a loss).
  std::chrono::milliseconds delay(unsigned attempt);
  // The delay before the next attempt, then doubles.
  std::chrono::milliseconds next();
  void reset() noexcept { attempts_ = 0; }

 private:
  std::minstd_rand random_;
  unsigned attempts_ = 0;
};

}  // namespace basalt::cluster
