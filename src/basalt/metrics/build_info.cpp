// Compiled alone: its compile definitions (the git commit) change with every commit, and only
// this file should then be rebuilt.
#include "basalt/metrics/scrape.hpp"

#ifndef BASALT_GIT_COMMIT
#define BASALT_GIT_COMMIT "unknown"
#endif

namespace basalt::metrics {

BuildInfo build_info() {
#if defined(__clang__)
  const char* compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  const char* compiler = "gcc " __VERSION__;
#else
  const char* compiler = "unknown";
#endif
  return {BASALT_VERSION, BASALT_GIT_COMMIT, compiler};
}

}  // namespace basalt::metrics
