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

// The environment every basalt process a test starts runs with: this process's, plus the
// smallest argon2id cost (BASALT_AUTH_ARGON2_MEMORY=8KiB, BASALT_AUTH_ARGON2_PASSES=1) unless the
// environment sets them: the hashing code is the same, without ~35 ms of CPU per password.
// Built before fork (the child only calls execve).
std::vector<std::string> basalt_environment();

// Pointers into `strings`, null-terminated, for execve.
std::vector<char*> exec_pointers(std::vector<std::string>& strings);

}  // namespace basalt::testing
