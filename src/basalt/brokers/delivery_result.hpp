// Building a DeliveryResult (events/destination.hpp): the duration since the attempt began and
// a detail cut to the 1 KiB the delivery log keeps.
#pragma once

#include "basalt/events/destination.hpp"

#include <chrono>
#include <string>

namespace basalt::brokers {

inline constexpr std::size_t kMaxDetailLength = 1024;

inline events::DeliveryResult delivery_result(events::DeliveryResult::Outcome outcome,
                                              std::chrono::steady_clock::time_point started,
                                              std::string detail) {
  events::DeliveryResult result;
  result.outcome = outcome;
  result.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  if (detail.size() > kMaxDetailLength) detail.resize(kMaxDetailLength);
  result.detail = std::move(detail);
  return result;
}

}  // namespace basalt::brokers
