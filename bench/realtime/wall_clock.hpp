// Wall-clock microseconds (CLOCK_REALTIME). The writer stamps each record with it and the
// subscribers subtract it from their own reading: both run on the same machine, so the same
// clock, and the difference is the event's latency from send to receipt.
#pragma once

#include <cstdint>
#include <ctime>

namespace rtbench {

inline std::int64_t wall_clock_us() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1'000;
}

}  // namespace rtbench
