// source_dir: the repository root, for tests that check docs/ against the code.
#pragma once

#include <filesystem>

namespace basalt::core::testing {

// The absolute path lives in source_dir.cpp alone (basalt_core_testing): as a compile
// definition of a whole test target it would be part of every one of its files' ccache keys,
// and a clone at another path would recompile them all.
std::filesystem::path source_dir();

}  // namespace basalt::core::testing
