// run_basalt: runs the basalt binary with arguments to completion and captures its output.
#pragma once

#include <string>
#include <vector>

namespace basalt::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

CommandResult run_basalt(const std::vector<std::string>& args);

}  // namespace basalt::testing
