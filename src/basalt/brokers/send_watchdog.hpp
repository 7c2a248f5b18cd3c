// A deadline for blocking sends that a client library cannot bound itself (docs/brokers.md,
// "Acknowledgement and failure"): librabbitmq writes a publish with no timeout at all, so a
// broker that stops reading (a memory or disk alarm blocks publishing connections) would hold
// the delivery thread, and the dispatcher's stop(), for as long as the alarm lasts. While a
// Watch is alive, its socket is shut down (SHUT_RDWR) once the deadline passes: the blocked
// send then fails, and the connector drops the connection as after any failure.
//
// Invariants:
//   1. The watchdog touches a descriptor only while its Watch is alive, and only under the
//      mutex the Watch's destructor takes; so the owner may close the descriptor as soon as
//      the Watch is gone, and a reused descriptor number is never shut down by mistake.
//   2. One thread for the whole process, started on first use; it sleeps until the earliest
//      deadline and costs nothing while no send is watched.
// Thread ownership: Watches are made and dropped by the connectors' delivery threads; fired()
// may be read by the Watch's owner after the watched call returned.
#pragma once

#include <chrono>
#include <cstdint>

namespace basalt::brokers {

class SendWatch {
 public:
  // Watches `fd` until `deadline` (fd < 0: watches nothing).
  SendWatch(int fd, std::chrono::steady_clock::time_point deadline);
  ~SendWatch();
  SendWatch(const SendWatch&) = delete;
  SendWatch& operator=(const SendWatch&) = delete;

  // Moves the deadline later (a call that made progress gets its time again); no effect once
  // fired.
  void extend(std::chrono::steady_clock::time_point deadline);

  // True once the deadline passed and the socket was shut down.
  bool fired() const;

 private:
  std::uint64_t id_ = 0;  // 0: nothing watched
};

}  // namespace basalt::brokers
