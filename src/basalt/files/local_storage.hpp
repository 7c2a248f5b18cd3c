// LocalStorage: the Storage backend over a directory (`<data dir>/storage`, docs/files.md).
//
// A key is a path below the root (check_key() refuses any that would leave it). Writes are
// atomic: the bytes go to a hidden sibling ".<name>.tmp-<random>" that is fsynced and then
// renamed over the target, and the directory is fsynced, so after a crash an object is either
// complete or absent (a stale hidden sibling is an orphan the startup sweep removes).
//
// Thread safety: no state besides the root; any number of calls may run at once. Two puts of
// the same key race to rename and the last one wins, whole. Every call blocks: blocking pool.
#pragma once

#include <filesystem>

#include "basalt/core/temp_file.hpp"
#include "basalt/files/storage.hpp"

namespace basalt::files {

class LocalStorage final : public Storage {
 public:
  // Creates `root` (and parents) when missing. Throws StorageError when it cannot.
  explicit LocalStorage(std::filesystem::path root);

  std::string_view kind() const noexcept override { return "local"; }
  void put_file(std::string_view key, const std::filesystem::path& source,
                std::string_view content_type) override;
  std::optional<ObjectInfo> stat(std::string_view key) override;
  std::string read_range(std::string_view key, std::uint64_t offset, std::uint64_t length) override;
  std::optional<std::filesystem::path> local_path(std::string_view key) override;
  void remove(std::string_view key) override;
  void remove_prefix(std::string_view prefix) override;
  std::vector<std::string> list(std::string_view prefix) override;

  // Renames `source` into place when it is on the same file system (no copy) and releases it;
  // copies it otherwise (leaving it to its owner), and when this throws.
  void put_file_moving(std::string_view key, core::TempFile& source,
                       std::string_view content_type) override;

  const std::filesystem::path& root() const noexcept { return root_; }

 private:
  std::filesystem::path path_of(std::string_view key) const;

  std::filesystem::path root_;
};

}  // namespace basalt::files
