#include "basalt/http/request_metrics.hpp"

#include <string>
#include <vector>

#include "basalt/http/router.hpp"
#include "basalt/metrics/registry.hpp"
#include "basalt/metrics/thread_block.hpp"

namespace basalt::http {

std::size_t route_slot(std::size_t route_index) noexcept {
  const std::size_t slot = static_cast<std::size_t>(kMethodCount) + route_index;
  return slot < metrics::kHttpSlots ? slot : metrics::kHttpSlots - 1;  // the shared tail slot
}

void register_route_labels(const Router& router) {
  const std::size_t route_count = router.size();
  std::vector<metrics::SlotLabel> labels;
  for (int m = 0; m < kMethodCount; ++m) {
    labels.push_back({std::string(method_name(static_cast<Method>(m))), "unmatched"});
  }
  for (std::size_t i = 0; i < route_count; ++i) {
    if (route_slot(i) == metrics::kHttpSlots - 1 && i + 1 < route_count) {
      labels.push_back({"any", "other routes"});  // the table outgrew the block
      break;
    }
    const Route& route = router.route(i);
    labels.push_back({std::string(method_name(route.method)), route.path});
  }
  metrics::set_http_slot_labels(std::move(labels));
}

RequestMeter::RequestMeter() noexcept
    : started_(metrics::enabled() ? std::chrono::steady_clock::now()
                                  : std::chrono::steady_clock::time_point{}) {}

void RequestMeter::finish(std::size_t slot, int status) const noexcept {
  if (!metrics::enabled()) return;
  const auto elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(
                           std::chrono::steady_clock::now() - started_)
                           .count();
  metrics::HttpSlot& cells = metrics::local().http[slot < metrics::kHttpSlots ? slot : 0];
  const int status_class = status / 100;
  if (status_class >= 1 && status_class <= 5) cells.requests[status_class - 1].add();
  cells.duration.observe(static_cast<std::uint64_t>(elapsed), metrics::kLatencyBoundsNs);
}

}  // namespace basalt::http
