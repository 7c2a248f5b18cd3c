// The HTTP requests' share of the metrics (docs/observability.md): which slot of the thread's
// metrics block a request counts in, and the count itself. Kept apart from the dispatcher so
// the request path's hook is these few lines.
//
// Slots: one per request method for requests no route matched (labelled route="unmatched"),
// then one per route of the router's table, labelled with its method and template — never the
// raw path, so the number of series is bounded by the table.
#pragma once

#include <chrono>
#include <cstddef>

#include "basalt/http/method.hpp"

namespace basalt::http {

class Router;

// Publishes the labels of every slot for the scrape. Called once per router, before workers run.
void register_route_labels(const Router& router);

inline std::size_t unmatched_slot(Method method) noexcept {
  return static_cast<std::size_t>(method);
}
std::size_t route_slot(std::size_t route_index) noexcept;

// Times one request from construction to finish(); counts it in the calling thread's block.
// Does nothing while metrics are off.
class RequestMeter {
 public:
  RequestMeter() noexcept;
  void finish(std::size_t slot, int status) const noexcept;

 private:
  std::chrono::steady_clock::time_point started_;
};

}  // namespace basalt::http
