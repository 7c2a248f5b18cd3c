#include "basalt/files/s3_retry.hpp"

#include <gtest/gtest.h>

namespace basalt::files {
namespace {

using std::chrono::milliseconds;

TEST(S3Retry, RetriesServerTroubleButNeverClientErrors) {
  for (long status : {429L, 500L, 502L, 503L, 504L}) EXPECT_TRUE(retryable_status(status));
  for (long status : {200L, 204L, 301L, 400L, 403L, 404L, 409L, 416L, 501L}) {
    EXPECT_FALSE(retryable_status(status)) << status;
  }
}

TEST(S3Retry, FullJitterUnderAnExponentialCeiling) {
  const RetryPolicy policy{
      .max_attempts = 6, .base_delay = milliseconds(100), .max_delay = milliseconds(1000)};
  EXPECT_EQ(retry_delay(policy, 1, 0.0), milliseconds(0));
  EXPECT_EQ(retry_delay(policy, 1, 0.999), milliseconds(99));
  EXPECT_EQ(retry_delay(policy, 2, 0.5), milliseconds(100));    // ceiling 200
  EXPECT_EQ(retry_delay(policy, 3, 0.5), milliseconds(200));    // ceiling 400
  EXPECT_EQ(retry_delay(policy, 5, 0.5), milliseconds(500));    // 1600 capped at 1000
  EXPECT_EQ(retry_delay(policy, 60, 1.0), milliseconds(1000));  // no overflow
  EXPECT_EQ(retry_delay(policy, 0, 0.7), milliseconds(0));
}

}  // namespace
}  // namespace basalt::files
