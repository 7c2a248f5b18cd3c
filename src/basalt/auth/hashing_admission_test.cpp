// HashingAdmission: the per-client and the total bound, 429 with Retry-After past them, and
// tickets giving their slot back when they go.
#include "basalt/auth/hashing_admission.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "basalt/core/api_error.hpp"

namespace basalt::auth {
namespace {

int refusal_status(HashingAdmission& admission, std::string_view client, int* retry_after) {
  try {
    HashingAdmission::Ticket ticket = admission.enter(client);
  } catch (const core::ApiError& error) {
    *retry_after = error.retry_after();
    return error.status();
  }
  return 0;
}

TEST(HashingAdmissionTest, OneClientGetsAtMostItsShare) {
  HashingAdmission admission({.per_client = 2, .total = 10});
  std::vector<HashingAdmission::Ticket> held;
  held.push_back(admission.enter("10.0.0.1"));
  held.push_back(admission.enter("10.0.0.1"));
  int retry_after = 0;
  EXPECT_EQ(refusal_status(admission, "10.0.0.1", &retry_after), 429);
  EXPECT_EQ(retry_after, kHashingRetryAfterSeconds);
  // Another address is not affected.
  EXPECT_EQ(refusal_status(admission, "10.0.0.2", &retry_after), 0);
  EXPECT_EQ(admission.in_flight("10.0.0.1"), 2U);
}

TEST(HashingAdmissionTest, TheTotalBoundsEveryClientTogether) {
  HashingAdmission admission({.per_client = 2, .total = 3});
  std::vector<HashingAdmission::Ticket> held;
  held.push_back(admission.enter("a"));
  held.push_back(admission.enter("b"));
  held.push_back(admission.enter("c"));
  int retry_after = 0;
  EXPECT_EQ(refusal_status(admission, "d", &retry_after), 429);
}

TEST(HashingAdmissionTest, ATicketGivesItsSlotBack) {
  HashingAdmission admission({.per_client = 1, .total = 1});
  {
    HashingAdmission::Ticket ticket = admission.enter("a");
    HashingAdmission::Ticket moved = std::move(ticket);  // still one slot, released once
    EXPECT_EQ(admission.in_flight("a"), 1U);
  }
  EXPECT_EQ(admission.in_flight("a"), 0U);
  int retry_after = 0;
  EXPECT_EQ(refusal_status(admission, "b", &retry_after), 0);
}

}  // namespace
}  // namespace basalt::auth
