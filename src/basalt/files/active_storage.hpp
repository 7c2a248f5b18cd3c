// ActiveStorage: which Storage backend file operations use right now — the local directory, or
// the S3 bucket of `settings.s3` while it is enabled — swapped when the settings change.
//
//   files::ActiveStorage storage(local);            // a ready LocalStorage
//   storage.apply(s3_config_or_nullopt);             // at startup and after each settings change
//   std::shared_ptr<files::Storage> backend = storage.get();  // once per operation
//
// Invariants:
//  1. get() is lock-free and returns a complete backend; an operation that took it keeps that
//     backend alive until it lets go, even if apply() switched meanwhile (files already stored
//     stay where they are: switching does not move them, as in PocketBase).
//  2. apply() builds the new backend before publishing it; when building fails (StorageError:
//     a configuration S3Storage refuses) the current backend stays and the error is rethrown.
//     Applying the configuration already in use keeps the current backend (and its
//     connections).
// Thread safety: get() from any thread; apply() from any thread, serialized by a mutex.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "basalt/files/s3_storage.hpp"
#include "basalt/files/storage.hpp"

namespace basalt::files {

// The backend for `s3` (S3Storage when set, i.e. when S3 is enabled) or `local` otherwise.
// Throws StorageError for an S3 configuration S3Storage refuses.
std::shared_ptr<Storage> make_storage(const std::optional<S3Config>& s3,
                                      std::shared_ptr<Storage> local,
                                      const S3Options& options = {});

class ActiveStorage {
 public:
  // Starts on `local` (must not be null).
  explicit ActiveStorage(std::shared_ptr<Storage> local, S3Options options = {});

  std::shared_ptr<Storage> get() const noexcept { return current_.load(); }

  // Switches to S3 with `s3`, or back to the local backend for nullopt (invariant 2).
  void apply(const std::optional<S3Config>& s3);

 private:
  const std::shared_ptr<Storage> local_;
  const S3Options options_;
  std::atomic<std::shared_ptr<Storage>> current_;
  std::mutex apply_mutex_;           // guards applied_
  std::optional<S3Config> applied_;  // the configuration current_ was built from
};

}  // namespace basalt::files
