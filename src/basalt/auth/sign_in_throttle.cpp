#include "basalt/auth/sign_in_throttle.hpp"

#include "basalt/metrics/thread_block.hpp"

#include <cctype>

namespace basalt::auth {
namespace {

void count_refusal() noexcept {
  if (!metrics::enabled()) return;
  metrics::local().refusals[metrics::index(metrics::Refusal::kSignInThrottle)].add();
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

boost::asio::awaitable<SignInCharge> SignInThrottle::charge(std::string_view address,
                                                            std::string_view collection_id,
                                                            std::string_view identity) const {
  const RateLimiter::Clock::time_point now = clock_.steady_now();
  // '|' appears in neither an address nor a collection id, so no two triples share a key.
  SignInCharge charge{
      std::string(address),
      std::string(address) + "|" + std::string(collection_id) + "|" + lower(identity), now};
  if (const Admission admission =
          co_await address_identity_failures_.acquire(charge.identity_key, now);
      !admission) {
    count_refusal();
    throw TooManyAttempts(admission.retry_after);
  }
  if (const Admission admission = co_await address_failures_.acquire(charge.address_key, now);
      !admission) {
    co_await address_identity_failures_.release(charge.identity_key, now);  // never tried
    count_refusal();
    throw TooManyAttempts(admission.retry_after);
  }
  co_return charge;
}

boost::asio::awaitable<void> SignInThrottle::refund(const SignInCharge& charge) const {
  co_await address_failures_.release(charge.address_key, charge.at);
  co_await address_identity_failures_.release(charge.identity_key, charge.at);
}

}  // namespace basalt::auth
