#include "command.hpp"

#ifndef BASALT_BINARY_PATH
#error "basalt_binary.cpp needs BASALT_BINARY_PATH (the basalt executable of this build tree)"
#endif

namespace basalt::testing {

const char* basalt_binary() {
  return BASALT_BINARY_PATH;
}

}  // namespace basalt::testing
