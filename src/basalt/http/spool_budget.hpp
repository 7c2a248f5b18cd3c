// SpoolBudget: the process-wide bound on the bytes of file parts being received at once
// (docs/files.md, "Uploads"; the `max-upload-spool-bytes` setting). Each multipart body is
// bounded by its route's limit, but not their sum: without this, enough concurrent uploads fill
// the disk of the data directory. A spool reserves the bytes of its file parts as it writes
// them and gives them back when the request ends (its temporary files are then renamed into
// storage or deleted); a request that would pass the budget is answered 503 at once, its
// temporary files deleted, while the others go on.
//
// Thread safety: any thread; one atomic counter, no lock.
#pragma once

#include <atomic>
#include <cstdint>

namespace basalt::http {

class SpoolBudget {
 public:
  // `limit` bytes in all; 0: no limit.
  explicit SpoolBudget(std::uint64_t limit) noexcept : limit_(limit) {}
  SpoolBudget(const SpoolBudget&) = delete;
  SpoolBudget& operator=(const SpoolBudget&) = delete;

  // Takes `bytes` if the total stays within the limit; false (nothing taken) otherwise.
  bool try_reserve(std::uint64_t bytes) noexcept;
  void release(std::uint64_t bytes) noexcept;

  std::uint64_t limit() const noexcept { return limit_; }
  std::uint64_t in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }

 private:
  const std::uint64_t limit_;
  std::atomic<std::uint64_t> in_use_{0};
};

// What one request holds of a SpoolBudget; given back when destroyed. Movable.
class SpoolReservation {
 public:
  SpoolReservation() = default;
  explicit SpoolReservation(SpoolBudget* budget) noexcept : budget_(budget) {}
  ~SpoolReservation() { reset(); }
  SpoolReservation(SpoolReservation&& other) noexcept;
  SpoolReservation& operator=(SpoolReservation&& other) noexcept;
  SpoolReservation(const SpoolReservation&) = delete;
  SpoolReservation& operator=(const SpoolReservation&) = delete;

  // Reserves `bytes` more; false when the budget has no room (nothing more is held then).
  // Always true without a budget.
  bool grow(std::uint64_t bytes) noexcept;
  // Gives `bytes` of what is held back (a file part deleted before the request ends).
  void shrink(std::uint64_t bytes) noexcept;
  void reset() noexcept;
  std::uint64_t held() const noexcept { return held_; }

 private:
  SpoolBudget* budget_ = nullptr;
  std::uint64_t held_ = 0;
};

}  // namespace basalt::http
