// Small pieces the three connectors share: the failure a connection step reports, and the
// timeval the C client libraries take for their timeouts.
#pragma once

#include "basalt/events/destination.hpp"

#include <sys/time.h>

#include <chrono>
#include <string>

namespace basalt::brokers {

// A failed step with the outcome it implies and a detail for the delivery log (no secrets).
struct ConnectorFailure {
  events::DeliveryResult::Outcome outcome = events::DeliveryResult::Outcome::kRetry;
  std::string detail;
  // The socket was found closed or reset (not a timeout, not a broker's answer): on a
  // connection kept from an earlier delivery this usually means it died while idle (a broker
  // restart, a proxy's idle timeout), so one fresh connection is tried at once.
  bool connection_lost = false;
};

inline timeval timeval_of(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

}  // namespace basalt::brokers
