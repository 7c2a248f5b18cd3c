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

// The basalt executable of this build tree. Its absolute path is compiled into
// basalt_binary.cpp alone: in the flags of every file it would be part of all their ccache keys,
// and a clone at another path would miss on each.
const char* basalt_binary();

}  // namespace basalt::testing
