#include "command.hpp"

#include <unistd.h>

#include <string_view>

#ifndef BASALT_BINARY_PATH
#error "basalt_binary.cpp needs BASALT_BINARY_PATH (the basalt executable of this build tree)"
#endif

namespace basalt::testing {

const char* basalt_binary() {
  return BASALT_BINARY_PATH;
}

std::vector<std::string> basalt_environment() {
  std::vector<std::string> environment;
  bool memory_set = false;
  bool passes_set = false;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    memory_set = memory_set || text.starts_with("BASALT_AUTH_ARGON2_MEMORY=");
    passes_set = passes_set || text.starts_with("BASALT_AUTH_ARGON2_PASSES=");
    environment.emplace_back(text);
  }
  if (!memory_set) environment.emplace_back("BASALT_AUTH_ARGON2_MEMORY=8KiB");
  if (!passes_set) environment.emplace_back("BASALT_AUTH_ARGON2_PASSES=1");
  return environment;
}

std::vector<char*> exec_pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace basalt::testing
