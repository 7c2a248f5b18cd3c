// When an S3 request is tried again, and how long to wait first.
//
// Retried: transport failures that may be transient (connection refused or reset, DNS, timeouts,
// a response cut short) and the statuses S3 uses for "try later": 500, 502, 503, 504 and 429.
// Never retried: any other 4xx (a wrong key, a missing bucket, a refused signature stay wrong)
// and other transport errors (a malformed URL, TLS verification failures).
//
// The wait before retry n (n = 1, 2, ...) is "full jitter": uniform in [0, min(max, base·2^(n-1))],
// so that many clients failing together do not come back together.
// Plain values and pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace basalt::files {

struct RetryPolicy {
  unsigned max_attempts = 4;  // the first try included; at least 1
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_delay{2000};
};

// An HTTP status the server answered (0 = no response).
bool retryable_status(long status) noexcept;

// The delay before retry `retry` (1 for the first retry), given `unit` uniform in [0, 1).
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, unsigned retry,
                                      double unit) noexcept;

}  // namespace basalt::files
