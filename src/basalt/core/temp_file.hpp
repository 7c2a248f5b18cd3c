// TempFile: a file that exists only as long as its owner wants it — an upload spooled while its
// request body arrives, a copy being written beside its final name. The destructor unlinks it
// (errors ignored: it may have been moved away), so every path out of a request, exceptions and
// dropped connections included, leaves nothing behind.
//
//   core::TempFile file = core::TempFile::create(dir, "upload");
//   file.write(bytes);            // appends; throws std::system_error on I/O failure
//   file.close();                 // optional: closes the descriptor, keeps the file
//   storage.put_file_moving(key, file);   // a consumer that renames it calls release()
//
// Thread safety: one owner at a time; movable, not copyable.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace basalt::core {

class TempFile {
 public:
  TempFile() = default;
  ~TempFile();
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  // Creates `<dir>/<prefix>-<16 random hex>` with O_EXCL and mode 0600. Throws
  // std::system_error when the file cannot be created.
  static TempFile create(const std::filesystem::path& dir, std::string_view prefix);

  explicit operator bool() const noexcept { return !path_.empty(); }
  const std::filesystem::path& path() const noexcept { return path_; }
  std::uint64_t size() const noexcept { return size_; }

  // Appends `bytes` (all of them, retrying short writes). Throws std::system_error.
  void write(std::string_view bytes);
  // Closes the descriptor; the file stays. Idempotent.
  void close() noexcept;
  // Forgets the file without unlinking it (it was renamed away, or must survive). Closes it.
  void release() noexcept;

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

}  // namespace basalt::core
