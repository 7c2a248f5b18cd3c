// HashingAdmission: how much password work (argon2id: ~35 ms and 32 MiB each) one client
// address may have queued or running at once, and all clients together. Past either bound a
// request is refused at once (429) instead of waiting in the blocking pool's queue, where it
// would delay everyone else's sign-ins: a flood from one address costs that address, not the
// server.
//
//   HashingAdmission admission({.per_client = 4, .total = 32});
//   HashingAdmission::Ticket ticket = admission.enter(client);  // throws ApiError 429
//   ... hash ...                                                // released with the ticket
//
// Thread-safe: mutex_ guards the counters. Memory is bounded by `total` (an address without
// work in flight is forgotten).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace basalt::auth {

struct HashingLimits {
  std::size_t per_client = 4;  // hashes or verifications in flight per client address
  std::size_t total = 32;      // in flight across every client
};

// Seconds a refused client is told to wait: about the time the work ahead of it takes.
inline constexpr int kHashingRetryAfterSeconds = 1;

class HashingAdmission {
 public:
  // Holds one unit of admitted work; releases it when destroyed. Movable.
  class Ticket {
   public:
    Ticket(HashingAdmission* owner, std::string client)
        : owner_(owner), client_(std::move(client)) {}
    Ticket(Ticket&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)), client_(std::move(other.client_)) {}
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();

   private:
    HashingAdmission* owner_;
    std::string client_;
  };

  explicit HashingAdmission(HashingLimits limits) : limits_(limits) {}

  // A ticket for one unit of work by `client`, or ApiError 429 (Retry-After set) past a bound.
  Ticket enter(std::string_view client);

  // Work in flight for `client` (for tests and diagnostics).
  std::size_t in_flight(std::string_view client) const;

 private:
  void leave(const std::string& client) noexcept;

  const HashingLimits limits_;
  mutable std::mutex mutex_;
  std::map<std::string, std::size_t, std::less<>> per_client_;
  std::size_t total_ = 0;
};

}  // namespace basalt::auth
