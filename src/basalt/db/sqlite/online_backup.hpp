// copy_snapshot: SQLite's online backup API (sqlite3_backup_*) copying a live WAL database into
// a new file while the server keeps writing (docs/backups.md, "The database snapshot").
//
// How the copy stays consistent without blocking anyone:
//  - It reads through a read-only connection of its own, which opens one read transaction
//    before the first step and keeps it to the last: in WAL mode that transaction sees exactly
//    the commits made before it began, whatever the writer commits meanwhile, and the backup
//    never restarts (sqlite3_backup_step restarts only when its source changes under a read
//    transaction the backup opened itself, step by step).
//  - A reader never blocks the writer in WAL mode. What it does keep is the WAL: no checkpoint
//    can start the WAL over while the snapshot is read, so the caller tells the writer not to
//    wait for it (Writer::hold_wal_restarts); the WAL grows by what is committed meanwhile.
//  - It copies `pages_per_step` pages per step and checks `cancelled` between steps.
// Blocking; call it from a thread that may block (never an I/O thread, never the writer).
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace basalt::db::sqlite {

struct SnapshotOptions {
  int pages_per_step = 1024;  // 4 MiB at 4 KiB pages
  // Waiting for a lock SQLite needs briefly (WAL index recovery); the statement budget.
  std::chrono::milliseconds busy_timeout{5000};
  std::function<bool()> cancelled;  // optional; true stops the copy (DatabaseError)
};

// Copies the database at `source` into `target`, which must not exist (it is created; on any
// failure it is removed again). Throws DatabaseError.
void copy_snapshot(const std::string& source, const std::string& target,
                   const SnapshotOptions& options);

}  // namespace basalt::db::sqlite
