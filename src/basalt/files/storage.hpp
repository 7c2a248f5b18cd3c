// Storage: where the files of file fields (and their thumbnails) live, behind one interface with
// two backends — LocalStorage (a directory under the data directory) and S3Storage (an
// S3-compatible bucket, `settings.s3`). docs/files.md describes the layout and the life of a file.
//
// Keys are relative, '/'-separated paths built only by files/keys.hpp:
//   <collectionId>/<recordId>/<filename>                          an uploaded file
//   <collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>  one of its thumbnails
// A backend never builds or parses keys beyond refusing ones that escape its root (empty
// segments, ".", "..", a leading '/', NUL or a backslash): check_key() throws for those.
//
// Every call blocks (disk or network I/O): call it from the blocking pool, never on a worker's
// I/O thread. Implementations are thread-safe: any number of calls may run at once.
//
// Errors: StorageError, whose message is fit for the log, never for a client (it may name
// paths or endpoints but never credentials). A missing object is not an error for stat() and
// remove(); read() of a missing object throws StorageError with `not_found` set.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/temp_file.hpp"

namespace basalt::files {

class StorageError : public std::runtime_error {
 public:
  explicit StorageError(const std::string& message, bool not_found = false)
      : std::runtime_error(message), not_found_(not_found) {}
  bool not_found() const noexcept { return not_found_; }

 private:
  bool not_found_;
};

struct ObjectInfo {
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point modified;
  // A strong validator that changes whenever the content may have: quoted, as an HTTP ETag.
  std::string etag;
};

class Storage {
 public:
  virtual ~Storage() = default;

  // "local" or "s3", for logs and /api/health-style reports.
  virtual std::string_view kind() const noexcept = 0;

  // Stores the local file `source` under `key`, replacing any object there; the object is
  // complete or absent, never partial (local: write beside and rename; S3: one PUT, or a
  // multipart upload completed only when every part is in). `source` is left in place.
  virtual void put_file(std::string_view key, const std::filesystem::path& source,
                        std::string_view content_type) = 0;

  // Like put_file, for a temporary file its owner no longer needs: a backend that can take the
  // file over (a local directory on the same file system renames it: no copy) does so and
  // releases `source`; the default copies it like put_file and leaves it to its owner.
  virtual void put_file_moving(std::string_view key, core::TempFile& source,
                               std::string_view content_type) {
    put_file(key, source.path(), content_type);
  }

  // Size, modification time and ETag of `key`; nullopt when there is none.
  virtual std::optional<ObjectInfo> stat(std::string_view key) = 0;

  // Bytes [offset, offset + length) of `key` (fewer at the end of the object). Bounded by the
  // caller: serving reads large objects in chunks, one call per chunk.
  virtual std::string read_range(std::string_view key, std::uint64_t offset,
                                 std::uint64_t length) = 0;

  // The object's path on local disk when the backend is a local directory (so serving can use
  // sendfile); nullopt for remote backends.
  virtual std::optional<std::filesystem::path> local_path(std::string_view key) = 0;

  // Removes `key`; removing a missing object succeeds.
  virtual void remove(std::string_view key) = 0;

  // Removes every object whose key starts with `prefix` + "/" (a record's or a collection's
  // directory). `prefix` must be a valid key.
  virtual void remove_prefix(std::string_view prefix) = 0;

  // Every key that starts with `prefix` + "/" (an empty prefix lists everything), in no
  // particular order. Used by the orphan sweep and backups; not on a request path.
  virtual std::vector<std::string> list(std::string_view prefix) = 0;
};

// The backend to use now (files::ActiveStorage::get in the server): an operation (a request, a
// thumbnail, a write's files) takes it once and keeps it, so a switch of backends (settings.s3)
// never splits one operation across two. Null while no backend is configured.
using StorageSource = std::function<std::shared_ptr<Storage>()>;

// Throws StorageError unless `key` is a non-empty relative path of non-empty segments none of
// which is "." or "..", with no NUL, backslash or leading/trailing '/'.
void check_key(std::string_view key);

}  // namespace basalt::files
