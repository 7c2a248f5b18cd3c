// Process exit codes shared by every command.
#pragma once

namespace basalt::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and failed (reason logged or printed)
inline constexpr int kExitUsage = 2;    // bad command line, environment or config file

}  // namespace basalt::cli
