// The restore swap: replacing the data directory's contents with a validated backup, crash-safe
// at every step (docs/backups.md, "Restore"). The server only stages a restore while it runs;
// the swap happens at the next start, before the database is opened, so every move is made by
// a process that holds the directory's lock and has nothing open.
//
// Layout inside the data directory:
//   .restore/STATE     the marker: one word, the current state (written beside and renamed)
//   .restore/incoming  the extracted, validated backup (data.db, storage/)
//   .restore/previous  the data moved aside (data.db, its -wal/-shm/-journal, storage/)
//   .restore/failed    a restored data set that would not open, on its way out
// The data items are exactly kDataItems; nothing else in the directory is touched (backups/,
// the lock file, the admin socket).
//
// States, and what a start does in each (each step is idempotent: it moves only what is still
// at its source, so a crash in the middle is finished by the next start):
//   (no STATE)     a staging that never finished: .restore is removed; normal start
//   staged         write moving-out, then as moving-out
//   moving-out     move the current items into previous/; write moving-in
//   moving-in      move incoming/'s items into the directory; write restored
//   restored       open the database (RestoreSwap::prepare returns kRestored):
//                  - it opens and migrates: committed(): write committed, then as committed
//                  - it does not: revert(): write reverting-out, then as reverting-out
//   committed      remove .restore (previous/ with it); normal start
//   reverting-out  move the restored items into failed/; write reverting-in
//   reverting-in   move previous/'s items back; remove .restore; normal start
// Every marker write and every rename is followed by an fsync of the directory it changed.
//
// Threads: stage() runs on the backup service's thread while the server runs (one restore at a
// time: BackupService invariant 1); prepare(), committed() and revert() on the main thread at
// startup, with the data directory locked by the caller. No state is shared between calls but
// the files.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

namespace basalt::backups {

inline constexpr std::string_view kRestoreDirName = ".restore";
// What a restore replaces: the database with its side files, and the local files store.
inline constexpr std::array<std::string_view, 5> kDataItems = {
    "data.db", "data.db-wal", "data.db-shm", "data.db-journal", "storage"};

enum class RestoreState {
  kNone,
  kStaged,
  kMovingOut,
  kMovingIn,
  kRestored,
  kCommitted,
  kRevertingOut,
  kRevertingIn,
};

std::string_view to_string(RestoreState state) noexcept;

// Test hook: called before each step (state about to be left); throwing from it simulates a
// crash at that point.
using StepHook = void (*)(RestoreState state, void* context);

class RestoreSwap {
 public:
  explicit RestoreSwap(std::filesystem::path data_dir) : data_dir_(std::move(data_dir)) {}

  // While the server runs: makes `extracted` (a validated backup directory inside the data
  // directory, same filesystem) the staged restore and writes the marker `staged`. Throws
  // std::runtime_error when a restore is staged already or a move fails (nothing staged then).
  void stage(const std::filesystem::path& extracted);

  // At startup, before the database is opened: finishes whatever state the marker names.
  // Returns kRestored when restored data is in place and awaits its first open (then call
  // committed() or revert()); kNone otherwise (normal start, .restore gone).
  RestoreState prepare();

  // The restored database opened and migrated: the old data is deleted.
  void committed();
  // The restored database did not open: the old data goes back where it was.
  void revert();

  // The marker's state (kNone without one). Throws std::runtime_error for an unknown word.
  RestoreState state() const;

  void set_step_hook(StepHook hook, void* context) {
    hook_ = hook;
    hook_context_ = context;
  }

 private:
  std::filesystem::path root() const { return data_dir_ / kRestoreDirName; }
  void write_state(RestoreState state);
  void step(RestoreState state);
  // Moves each of kDataItems present in `from` into `to` (created).
  void move_items(const std::filesystem::path& from, const std::filesystem::path& to);
  void finish_revert();
  void remove_root();

  std::filesystem::path data_dir_;
  StepHook hook_ = nullptr;
  void* hook_context_ = nullptr;
};

}  // namespace basalt::backups
