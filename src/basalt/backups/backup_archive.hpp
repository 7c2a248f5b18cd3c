// The backup archive (docs/backups.md, "The archive"): a zip holding `data.db` at its root and
// every stored file under `storage/<key>`, written and read with libzip.
//
// Writing streams: entries are sources that libzip reads when the archive is closed — a local
// file straight from disk, a remote object in chunks through Storage::read_range — so no whole
// file is ever held in memory. Reading checks everything before a byte is trusted: the central
// directory (ZIP_CHECKCONS), every entry's name (relative, no "." or ".." segment, no
// backslash or NUL), and every entry's CRC-32 while it is read.
//
// All functions block; call them from a backup thread. They throw ArchiveError, whose message
// says what is wrong with the archive in words fit for the client who supplied it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "basalt/files/storage.hpp"

namespace basalt::backups {

inline constexpr std::string_view kDatabaseEntry = "data.db";
inline constexpr std::string_view kStorageEntryPrefix = "storage/";

class ArchiveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Returns true to stop the work in progress (server shutdown); the call then throws.
using CancelCheck = std::function<bool()>;

// Writes `target` (created; removed again on failure): `database` as data.db, then every
// object of `files` under storage/<key>. Returns the number of files packed.
std::size_t write_backup_archive(const std::filesystem::path& target,
                                 const std::filesystem::path& database, files::Storage& files,
                                 const std::vector<std::string>& keys,
                                 const CancelCheck& cancelled);

struct ArchiveSummary {
  std::size_t entries = 0;
  std::uint64_t uncompressed_bytes = 0;  // of the entries a restore extracts
};

// Checks that `archive` is a readable zip with a data.db entry, sound names and, when
// `verify_data` is set, entries whose data decompresses with the right CRC-32 (reads it all).
ArchiveSummary inspect_backup_archive(const std::filesystem::path& archive, bool verify_data,
                                      const CancelCheck& cancelled);

// Extracts data.db and the storage/ entries of `archive` into `directory` (created; must not
// exist), checking each CRC-32. Other entries (a PocketBase archive's auxiliary.db) are
// skipped. On failure the directory is removed again.
void extract_backup_archive(const std::filesystem::path& archive,
                            const std::filesystem::path& directory, const CancelCheck& cancelled);

}  // namespace basalt::backups
