// TEST ONLY: LocalStorage with what the tests of serving and thumbnails need on top, in the
// basalt_files_testing target (only tests link it; the server never uses it):
//
//  - a remote mode: local_path() answers nullopt, so FileService takes the path of a backend
//    without files (S3: stat, then chunks through read_range, thumbnails from a copy) over a
//    plain directory, without an S3 server. LocalStorage itself always has a path, which is
//    why this wrapper stays now that the real backends exist;
//  - a count of put_file calls (tests count thumbnail generations with it);
//  - write(), to plant an object's bytes in place (setup, damaged originals).
//
// Everything else is LocalStorage's own code: keys, atomic puts, stat and its ETag, listing.
#pragma once

#include <atomic>
#include <filesystem>

#include "basalt/files/local_storage.hpp"
#include "basalt/files/storage.hpp"

namespace basalt::files::testing {

class DirectoryStorage final : public Storage {
 public:
  // `remote` = true answers local_path() with nullopt, so the streaming (S3-like) path runs.
  explicit DirectoryStorage(std::filesystem::path root, bool remote = false);

  std::string_view kind() const noexcept override { return remote_ ? "test-remote" : "test"; }
  void put_file(std::string_view key, const std::filesystem::path& source,
                std::string_view content_type) override;
  std::optional<ObjectInfo> stat(std::string_view key) override { return local_.stat(key); }
  std::string read_range(std::string_view key, std::uint64_t offset, std::uint64_t length) override;
  std::optional<std::filesystem::path> local_path(std::string_view key) override;
  void remove(std::string_view key) override { local_.remove(key); }
  void remove_prefix(std::string_view prefix) override { local_.remove_prefix(prefix); }
  std::vector<std::string> list(std::string_view prefix) override { return local_.list(prefix); }

  // Calls of put_file so far.
  int puts() const noexcept { return puts_.load(); }
  // Calls of read_range that asked for bytes at or past the object's end: a ranged GET that S3
  // answers 416 and some S3 stand-ins answer wrongly (a caller that knows the size asks none).
  int reads_past_end() const noexcept { return reads_past_end_.load(); }
  // Writes `content` under `key` directly, counted as no put.
  void write(std::string_view key, std::string_view content);

  const std::filesystem::path& root() const noexcept { return local_.root(); }

 private:
  LocalStorage local_;
  bool remote_;
  std::atomic<int> puts_{0};
  std::atomic<int> reads_past_end_{0};
};

}  // namespace basalt::files::testing
