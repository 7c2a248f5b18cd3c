#include "basalt/core/testing/source_dir.hpp"

#ifndef BASALT_SOURCE_DIR
#error "source_dir.cpp needs BASALT_SOURCE_DIR (the repository root)"
#endif

namespace basalt::core::testing {

std::filesystem::path source_dir() {
  return BASALT_SOURCE_DIR;
}

}  // namespace basalt::core::testing
