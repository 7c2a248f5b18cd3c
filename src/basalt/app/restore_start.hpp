// The start and the end of a backup restore in the server's life (docs/backups.md, "Restore"):
// open_storage() finishes a staged restore before the database is opened and decides, from
// whether the restored database opens and migrates, to keep it or to put the previous data
// back; restart_in_place() replaces the process with a fresh `basalt` on the same arguments
// once the server has shut down.
#pragma once

#include <memory>

#include "basalt/app/storage.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/core/config.hpp"

namespace basalt::app {

// The exit code of `basalt serve` with --restore-exit after a restore was staged: the
// supervisor starts the server again, which swaps the data in (EX_TEMPFAIL).
inline constexpr int kExitRestoreStaged = 75;

// Storage(config, clock), after RestoreSwap::prepare() under the data directory's lock. When a
// restore is in place and its database fails to open or migrate, the failure is logged, the
// previous data is moved back and opened instead. Throws what Storage throws otherwise.
std::unique_ptr<Storage> open_storage(const core::Config& config, const core::Clock& clock);

// execv("/proc/self/exe") with this process's own argv (/proc/self/cmdline) and environment,
// after marking every descriptor above stderr close-on-exec and unblocking signals. Returns
// only when that fails (logged); the caller then exits with kExitRestoreStaged, and the next
// start applies the restore all the same.
void restart_in_place();

}  // namespace basalt::app
