// FollowingStorage: a Storage that forwards each call to the backend a StorageSource gives at
// that moment (ActiveStorage::get in the server). For holders of a plain `Storage&` that must
// follow a switch of backends (settings.s3): the DeletionGate and the backup service. Unlike
// taking the source once per operation, consecutive calls of one operation may land on two
// backends when the switch falls between them; both holders tolerate that (a removal that
// misses leaves an orphan for the sweep; a backup lists and copies within seconds).
//
// Thread safety: as the backends (any number of calls at once).
#pragma once

#include <utility>

#include "basalt/files/storage.hpp"

namespace basalt::files {

class FollowingStorage final : public Storage {
 public:
  explicit FollowingStorage(StorageSource source) : source_(std::move(source)) {}

  std::string_view kind() const noexcept override {
    const std::shared_ptr<Storage> now = source_ ? source_() : nullptr;
    return now ? now->kind() : std::string_view("none");
  }
  void put_file(std::string_view key, const std::filesystem::path& source,
                std::string_view content_type) override {
    backend()->put_file(key, source, content_type);
  }
  void put_file_moving(std::string_view key, core::TempFile& source,
                       std::string_view content_type) override {
    backend()->put_file_moving(key, source, content_type);
  }
  std::optional<ObjectInfo> stat(std::string_view key) override { return backend()->stat(key); }
  std::string read_range(std::string_view key, std::uint64_t offset,
                         std::uint64_t length) override {
    return backend()->read_range(key, offset, length);
  }
  std::optional<std::filesystem::path> local_path(std::string_view key) override {
    return backend()->local_path(key);
  }
  void remove(std::string_view key) override { backend()->remove(key); }
  void remove_prefix(std::string_view prefix) override { backend()->remove_prefix(prefix); }
  std::vector<std::string> list(std::string_view prefix) override {
    return backend()->list(prefix);
  }

 private:
  std::shared_ptr<Storage> backend() const {
    std::shared_ptr<Storage> now = source_ ? source_() : nullptr;
    if (!now) throw StorageError("no file storage backend is configured");
    return now;
  }

  StorageSource source_;
};

}  // namespace basalt::files
