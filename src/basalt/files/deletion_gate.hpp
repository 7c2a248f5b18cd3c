// DeletionGate: holds back the removal of stored files while a backup copies them
// (docs/backups.md, "Files and the snapshot").
//
// Why it is enough: a stored file is never changed in place (a new upload gets a new name);
// files are only added, and removed after the commit that stopped referencing them. A backup
// takes a hold, then the database snapshot, then copies every stored file. Any file the
// snapshot references was referenced at the snapshot's commit, so a commit that drops it comes
// later, and so does its removal: with the hold taken before the snapshot, that removal is
// queued until the copy is done, and the file is still there when it is copied.
//
// Contract for the code that removes files (the files module's deletion after a commit, the
// orphan sweep): every removal of stored objects goes through remove() / remove_prefix() here,
// never straight to Storage, and is called only after the commit that dropped the file. The
// other half of the consistency is on uploads: a file must be complete in the store before the
// commit that references it (files/storage.hpp: put_file() is whole or absent).
//
// Threads: any; calls block (they may run Storage removals), so make them from the blocking
// pool. mutex_ guards holds_ and the queue; removals run outside it.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/files/storage.hpp"

namespace basalt::files {

class DeletionGate {
 public:
  // Removals queued while held, at most; past it one is dropped and logged: the file stays as
  // an orphan (the startup sweep of files-upload removes orphans) rather than memory growing
  // without bound during a long backup.
  static constexpr std::size_t kMaxQueued = 100'000;

  explicit DeletionGate(Storage& storage) : storage_(storage) {}
  DeletionGate(const DeletionGate&) = delete;
  DeletionGate& operator=(const DeletionGate&) = delete;

  // Storage::remove(key) now, or when the last hold ends.
  void remove(std::string_view key);
  // Storage::remove_prefix(prefix) now, or when the last hold ends.
  void remove_prefix(std::string_view prefix);

  // While a Hold lives, removals are queued. Holds nest (two backups never run at once, but a
  // hold is cheap to count). The destructor of the last one runs the queue, on its thread.
  class Hold {
   public:
    explicit Hold(DeletionGate& gate);
    ~Hold();
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    DeletionGate& gate_;
  };

  std::size_t queued() const;  // for tests and logs

 private:
  struct Removal {
    std::string key;
    bool prefix = false;
  };
  void submit(Removal removal);
  void run(const Removal& removal) noexcept;
  void release();

  Storage& storage_;
  mutable std::mutex mutex_;
  int holds_ = 0;                // guarded by mutex_
  std::vector<Removal> queued_;  // guarded by mutex_
};

}  // namespace basalt::files
