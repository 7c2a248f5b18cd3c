// run_blocking for the composition root and the CLI: core's (core/run_blocking.hpp).
#pragma once

#include "basalt/core/run_blocking.hpp"

namespace basalt::app {

using core::run_blocking;

}  // namespace basalt::app
