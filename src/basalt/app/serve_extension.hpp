// ServeExtension: what a program linking Basalt as a library adds to `serve` (the C++ extension
// API, src/basalt/extension, docs/extending.md). The composition root knows only this seam:
//   - attach() once, on the main thread, after every service exists and before the router is
//     built or a request is served: the extension registers its cron jobs on `services.crons`
//     and answers its routes, which join the built-in table (so they pass the same wrapper and
//     metrics slots, and a script route that would clash with one is refused at its load);
//   - hooks(): its record hooks, asked by the record service before the scripts' (HookChain).
// The extension outlives serve(); nothing of it runs after serve() returns.
#pragma once

#include <vector>

#include "basalt/api/services.hpp"
#include "basalt/http/router.hpp"
#include "basalt/records/hook_port.hpp"

namespace basalt::app {

class ServeExtension {
 public:
  virtual ~ServeExtension() = default;
  // Throws (std::exception) to fail the startup with its message.
  virtual std::vector<http::Route> attach(const api::Services& services) = 0;
  // Null when the extension has no record hook. Valid once attach() returned.
  virtual records::HookPort* hooks() noexcept = 0;
};

}  // namespace basalt::app
