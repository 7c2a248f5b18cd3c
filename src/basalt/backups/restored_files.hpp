// Putting a restored archive's stored files into a files store other than the local storage
// directory (docs/backups.md, "Restore and the files store"): every regular file under the
// extracted `storage/` directory goes to the store under its relative path, which is its
// storage key (files/keys.hpp). Used when the restored database's settings name a bucket.
//
// Blocking (disk reads and the store's uploads, one file at a time); call it from a backup
// thread. Throws files::StorageError when a put fails or a path is not a valid key (the
// extraction already refused unsafe names, so that means a bug), std::runtime_error when
// cancelled.
#pragma once

#include <cstddef>
#include <filesystem>

#include "basalt/backups/backup_archive.hpp"
#include "basalt/files/storage.hpp"

namespace basalt::backups {

// Returns the number of files put. A missing directory puts none.
std::size_t put_restored_files(const std::filesystem::path& storage_dir, files::Storage& target,
                               const CancelCheck& cancelled);

}  // namespace basalt::backups
