#pragma once
// Puts items numbered 1, 2, 3, ... back in number order.
//
// Why: the realtime Broker numbers record events in commit order and posts each one to every
// worker's Registry. Posts from several threads can reach one executor in another order (Asio
// keeps a post made from the owner thread itself in a private queue until the current handler
// returns, behind posts other threads made meanwhile), so a registry receives event 7 before 6
// now and then. Each registry runs its events through one of these.
//
// Invariants: `next()` is the number accepted next; every held item has a larger number; each
// number is accepted at most once. Not thread-safe: owned by one thread (the registry's worker).

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>

namespace basalt::realtime {

template <typename Item>
class SequenceReorder {
 public:
  explicit SequenceReorder(std::uint64_t next) : next_(next) {}

  // Calls `accept(item)` for this item and then for every held one that now follows without a
  // gap, in number order; holds the item while an earlier number has not arrived. A number
  // below next() or one already held is a repeat: it is dropped and false is returned.
  template <typename Accept>
  bool push(std::uint64_t number, Item item, Accept&& accept) {
    if (number < next_) return false;
    if (number != next_) return early_.emplace(number, std::move(item)).second;
    accept(std::move(item));
    ++next_;
    for (auto held = early_.begin(); held != early_.end() && held->first == next_;
         held = early_.erase(held)) {
      accept(std::move(held->second));
      ++next_;
    }
    return true;
  }

  std::uint64_t next() const noexcept { return next_; }
  std::size_t held() const noexcept { return early_.size(); }

 private:
  std::uint64_t next_;
  std::map<std::uint64_t, Item> early_;  // arrived before an earlier number
};

}  // namespace basalt::realtime
