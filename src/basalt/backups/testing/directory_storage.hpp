// DirectoryStorage — TEST-ONLY STAND-IN for files::LocalStorage (files-upload, [M1.9]): a
// files::Storage over a plain directory, so that backups can be built and tested before the
// real local backend lands. It is replaced by files::LocalStorage at merge (app.cpp names the
// two places); nothing else may come to depend on it.
//
// Keys map to paths under the root; objects are written beside their final name and renamed,
// so one is whole or absent. Thread-safe as the filesystem is (no state of its own).
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "basalt/files/storage.hpp"

namespace basalt::backups::testing {

class DirectoryStorage final : public files::Storage {
 public:
  explicit DirectoryStorage(std::filesystem::path root) : root_(std::move(root)) {
    std::filesystem::create_directories(root_);
  }

  std::string_view kind() const noexcept override { return "local"; }

  void put_file(std::string_view key, const std::filesystem::path& source,
                std::string_view) override {
    const std::filesystem::path target = path_of(key);
    std::error_code error;
    std::filesystem::create_directories(target.parent_path(), error);
    if (error) throw files::StorageError("cannot create " + target.parent_path().string());
    const std::filesystem::path partial =
        target.parent_path() /
        (".partial_" + std::to_string(::getpid()) + "_" + std::to_string(std::random_device{}()));
    std::filesystem::copy_file(source, partial, error);
    if (!error) std::filesystem::rename(partial, target, error);
    if (error) {
      std::error_code ignored;
      std::filesystem::remove(partial, ignored);
      throw files::StorageError("cannot store " + target.string() + ": " + error.message());
    }
  }

  std::optional<files::ObjectInfo> stat(std::string_view key) override {
    const std::filesystem::path path = path_of(key);
    std::error_code error;
    const auto status = std::filesystem::status(path, error);
    if (error || !std::filesystem::is_regular_file(status)) return std::nullopt;
    files::ObjectInfo info;
    info.size = std::filesystem::file_size(path, error);
    const auto written = std::filesystem::last_write_time(path, error);
    info.modified = std::chrono::time_point_cast<std::chrono::system_clock::duration>(
        std::chrono::file_clock::to_sys(written));
    info.etag = "\"" + std::to_string(info.size) + "-" +
                std::to_string(written.time_since_epoch().count()) + "\"";
    return info;
  }

  std::string read_range(std::string_view key, std::uint64_t offset,
                         std::uint64_t length) override {
    std::ifstream in(path_of(key), std::ios::binary);
    if (!in) throw files::StorageError("no object " + std::string(key), true);
    in.seekg(static_cast<std::streamoff>(offset));
    std::string out(length, '\0');
    in.read(out.data(), static_cast<std::streamsize>(length));
    out.resize(static_cast<std::size_t>(in.gcount()));
    return out;
  }

  std::optional<std::filesystem::path> local_path(std::string_view key) override {
    return path_of(key);
  }

  void remove(std::string_view key) override {
    std::error_code error;
    std::filesystem::remove(path_of(key), error);
    if (error) throw files::StorageError("cannot remove " + std::string(key));
  }

  void remove_prefix(std::string_view prefix) override {
    std::error_code error;
    std::filesystem::remove_all(path_of(prefix), error);
    if (error) throw files::StorageError("cannot remove " + std::string(prefix));
  }

  std::vector<std::string> list(std::string_view prefix) override {
    std::vector<std::string> keys;
    const std::filesystem::path start = prefix.empty() ? root_ : path_of(prefix);
    std::error_code error;
    if (!std::filesystem::is_directory(start, error)) return keys;
    for (auto it = std::filesystem::recursive_directory_iterator(start, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
      if (!it->is_regular_file()) continue;
      std::string key = std::filesystem::relative(it->path(), root_).generic_string();
      if (key.find("/.partial_") != std::string::npos || key.starts_with(".partial_")) continue;
      keys.push_back(std::move(key));
    }
    if (error) throw files::StorageError("cannot list " + start.string() + ": " + error.message());
    return keys;
  }

 private:
  std::filesystem::path path_of(std::string_view key) const {
    files::check_key(key);
    return root_ / std::filesystem::path(std::string(key));
  }

  std::filesystem::path root_;
};

}  // namespace basalt::backups::testing
