#include "basalt/files/s3_retry.hpp"

#include <algorithm>

namespace basalt::files {

bool retryable_status(long status) noexcept {
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, unsigned retry,
                                      double unit) noexcept {
  if (retry == 0) return std::chrono::milliseconds(0);
  // base·2^(retry-1) without overflow: stop doubling once the cap is reached.
  std::int64_t ceiling = policy.base_delay.count();
  const std::int64_t cap = policy.max_delay.count();
  for (unsigned i = 1; i < retry && ceiling < cap; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, cap);
  unit = std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(ceiling) * unit));
}

}  // namespace basalt::files
