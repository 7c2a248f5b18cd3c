#include "basalt/schema/time_ordered_id.hpp"

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/schema/ids.hpp"

namespace basalt::schema {
namespace {

constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr std::int64_t kEpochMillis = 1'577'836'800'000;  // 2020-01-01T00:00:00Z
constexpr std::uint64_t kTimeRange = 2'821'109'907'456;   // 36^8 milliseconds
constexpr std::uint64_t kSuffixRange = 78'364'164'096;    // 36^7
constexpr std::size_t kTimeDigits = 8;
constexpr std::size_t kSuffixDigits = 7;
static_assert(kTimeDigits + kSuffixDigits == kDefaultIdLength);

// A uniform value in [0, kSuffixRange): 8 random bytes, redrawn above the largest multiple of
// the range (no modulo bias; a redraw happens with probability 2^-32).
std::uint64_t random_suffix() {
  constexpr std::uint64_t kLimit = UINT64_MAX - UINT64_MAX % kSuffixRange;
  for (;;) {
    std::uint64_t value = 0;
    random_bytes(&value, sizeof value);
    if (value < kLimit) return value % kSuffixRange;
  }
}

}  // namespace

void append_base36(std::string& out, std::uint64_t value, std::size_t digits) {
  const std::size_t start = out.size();
  out.append(digits, '0');
  for (std::size_t i = digits; i-- > 0 && value > 0; value /= 36) {
    out[start + i] = kDigits[value % 36];
  }
}

std::string TimeOrderedIds::next(std::int64_t unix_millis) {
  const std::int64_t since_epoch = std::max<std::int64_t>(unix_millis - kEpochMillis, 0);
  const auto millis = std::min(static_cast<std::uint64_t>(since_epoch), kTimeRange - 1);
  std::uint64_t time = 0;
  std::uint64_t suffix = random_suffix();
  {
    std::lock_guard lock(mutex_);
    if (millis > current_) {
      current_ = millis;
      suffixes_.clear();
    } else if (suffixes_.size() >= kIdsPerMillisecond) {
      ++current_;
      suffixes_.clear();
    }
    while (std::find(suffixes_.begin(), suffixes_.end(), suffix) != suffixes_.end()) {
      suffix = random_suffix();
    }
    suffixes_.push_back(suffix);
    time = current_;
  }
  std::string id;
  id.reserve(kDefaultIdLength);
  append_base36(id, std::min(time, kTimeRange - 1), kTimeDigits);
  append_base36(id, suffix, kSuffixDigits);
  return id;
}

std::string new_time_ordered_id(std::int64_t unix_millis) {
  static TimeOrderedIds ids;
  return ids.next(unix_millis);
}

}  // namespace basalt::schema
