// TEST ONLY: a files::Storage over a plain directory, for the tests of serving and thumbnails
// while the real backends (LocalStorage, S3Storage) are built elsewhere. It is in the
// basalt_files_testing target, which only tests link; the server never uses it.
//
// Keys map to paths under the root; writes go to a sibling temporary file and are renamed in.
// The ETag is the size and the modification time in nanoseconds, quoted.
#pragma once

#include <atomic>
#include <filesystem>

#include "basalt/files/storage.hpp"

namespace basalt::files::testing {

class DirectoryStorage final : public Storage {
 public:
  // `remote` = true answers local_path() with nullopt, so the streaming (S3-like) path runs.
  explicit DirectoryStorage(std::filesystem::path root, bool remote = false);

  std::string_view kind() const noexcept override { return remote_ ? "test-remote" : "test"; }
  void put_file(std::string_view key, const std::filesystem::path& source,
                std::string_view content_type) override;
  std::optional<ObjectInfo> stat(std::string_view key) override;
  std::string read_range(std::string_view key, std::uint64_t offset, std::uint64_t length) override;
  std::optional<std::filesystem::path> local_path(std::string_view key) override;
  void remove(std::string_view key) override;
  void remove_prefix(std::string_view prefix) override;
  std::vector<std::string> list(std::string_view prefix) override;

  // Calls of put_file so far (tests count thumbnail generations with it).
  int puts() const noexcept { return puts_.load(); }
  // Calls of read_range that asked for bytes at or past the object's end: a ranged GET that S3
  // answers 416 and some S3 stand-ins answer wrongly (a caller that knows the size asks none).
  int reads_past_end() const noexcept { return reads_past_end_.load(); }
  // Writes `content` under `key` directly (test setup).
  void write(std::string_view key, std::string_view content);

  const std::filesystem::path& root() const noexcept { return root_; }

 private:
  std::filesystem::path path_of(std::string_view key) const;

  std::filesystem::path root_;
  bool remote_;
  std::atomic<int> puts_{0};
  std::atomic<int> reads_past_end_{0};
};

}  // namespace basalt::files::testing
