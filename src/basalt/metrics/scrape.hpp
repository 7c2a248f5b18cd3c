// One scrape: every metric of the process as exposition text (docs/observability.md, "Metrics").
// Thread-safe; runs on the requesting worker and costs a pass over every thread block plus a few
// reads of /proc.
#pragma once

#include <string>

#include "basalt/metrics/exposition.hpp"

namespace basalt::metrics {

struct BuildInfo {
  std::string version;
  std::string commit;
  std::string compiler;
};

// The binary's own (build_info.cpp: the version, the git commit at configure time, the
// compiler).
BuildInfo build_info();

struct ScrapeResult {
  std::string body;
  std::string content_type;
};

ScrapeResult scrape(Format format);

}  // namespace basalt::metrics
