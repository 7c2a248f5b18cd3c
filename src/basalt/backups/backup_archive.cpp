#include "basalt/backups/backup_archive.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zip.h>

#include <cstring>
#include <memory>

namespace basalt::backups {
namespace {

constexpr std::uint64_t kChunkBytes = 1 << 20;  // remote objects are read a MiB at a time
constexpr std::size_t kReadBuffer = 64 * 1024;
// More entries than any real store holds; a bound on the work a hostile archive can ask for.
constexpr std::uint64_t kMaxEntries = 10'000'000;

struct ArchiveCloser {
  void operator()(zip_t* archive) const noexcept { zip_discard(archive); }
};
using Archive = std::unique_ptr<zip_t, ArchiveCloser>;

struct FileCloser {
  void operator()(zip_file_t* file) const noexcept { zip_fclose(file); }
};

std::string archive_error(zip_t* archive) {
  return zip_strerror(archive);
}

int cancel_callback(zip_t*, void* state) {
  const auto* cancelled = static_cast<const CancelCheck*>(state);
  return (*cancelled && (*cancelled)()) ? 1 : 0;
}

// A libzip source over Storage::read_range: the object is read in chunks when libzip packs it.
class StorageSource {
 public:
  StorageSource(files::Storage& storage, std::string key)
      : storage_(storage), key_(std::move(key)) {}

  static zip_int64_t callback(void* state, void* data, zip_uint64_t length,
                              zip_source_cmd_t command) {
    auto* self = static_cast<StorageSource*>(state);
    try {
      return self->handle(data, length, command);
    } catch (const std::exception&) {
      zip_error_set(&self->error_, ZIP_ER_READ, EIO);
      return -1;
    }
  }

 private:
  zip_int64_t handle(void* data, zip_uint64_t length, zip_source_cmd_t command) {
    switch (command) {
      case ZIP_SOURCE_OPEN: {
        auto info = storage_.stat(key_);
        if (!info) {
          zip_error_set(&error_, ZIP_ER_NOENT, 0);
          return -1;
        }
        size_ = info->size;
        offset_ = 0;
        buffer_.clear();
        used_ = 0;
        return 0;
      }
      case ZIP_SOURCE_READ: {
        zip_uint64_t written = 0;
        auto* out = static_cast<char*>(data);
        while (written < length) {
          if (used_ == buffer_.size()) {
            if (offset_ >= size_) break;
            buffer_ = storage_.read_range(key_, offset_, kChunkBytes);
            used_ = 0;
            if (buffer_.empty()) break;  // the object shrank: libzip's CRC is of what was read
            offset_ += buffer_.size();
          }
          const std::size_t n = std::min<std::size_t>(length - written, buffer_.size() - used_);
          std::memcpy(out + written, buffer_.data() + used_, n);
          used_ += n;
          written += n;
        }
        return static_cast<zip_int64_t>(written);
      }
      case ZIP_SOURCE_CLOSE:
        buffer_ = std::string();
        return 0;
      case ZIP_SOURCE_STAT: {
        auto* stat = static_cast<zip_stat_t*>(data);
        zip_stat_init(stat);
        return sizeof(zip_stat_t);
      }
      case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&error_, data, length);
      case ZIP_SOURCE_FREE:
        delete this;
        return 0;
      case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              -1);
      default:
        zip_error_set(&error_, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
  }

  files::Storage& storage_;
  std::string key_;
  zip_error_t error_{};
  std::uint64_t size_ = 0;
  std::uint64_t offset_ = 0;
  std::string buffer_;
  std::size_t used_ = 0;
};

void add_entry(zip_t* archive, const std::string& name, zip_source_t* source) {
  if (source == nullptr) {
    throw ArchiveError(fmt::format("cannot read {}: {}", name, archive_error(archive)));
  }
  const zip_int64_t index = zip_file_add(archive, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(source);
    throw ArchiveError(fmt::format("cannot add {}: {}", name, archive_error(archive)));
  }
  // Fast deflate: a backup runs beside the server and most stored files are compressed already.
  zip_set_file_compression(archive, static_cast<zip_uint64_t>(index), ZIP_CM_DEFLATE, 1);
}

// Entry names a restore may write: relative, '/'-separated, no empty, "." or ".." segment.
bool safe_entry_name(std::string_view name) {
  std::string_view path = name;
  if (path.ends_with('/')) path.remove_suffix(1);  // a directory entry
  try {
    files::check_key(path);
    return true;
  } catch (const files::StorageError&) {
    return false;
  }
}

// What a restore extracts: data.db, and files under storage/ (never the directory itself).
bool restored_entry(std::string_view name) {
  return name == kDatabaseEntry ||
         (name.starts_with(kStorageEntryPrefix) && name.size() > kStorageEntryPrefix.size() &&
          !name.ends_with('/'));
}

Archive open_for_reading(const std::filesystem::path& path) {
  int code = 0;
  zip_t* raw = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (raw == nullptr) {
    zip_error_t error;
    zip_error_init_with_code(&error, code);
    std::string reason = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw ArchiveError(fmt::format("not a valid zip archive ({})", reason));
  }
  return Archive(raw);
}

// Reads entry `index` to its end, handing each block to `sink`; libzip checks the CRC-32 at
// the end and fails the last read when it does not match.
template <typename Sink>
void read_entry(zip_t* archive, zip_uint64_t index, const char* name, const CancelCheck& cancelled,
                Sink&& sink) {
  std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(archive, index, 0));
  if (!file) {
    throw ArchiveError(fmt::format("cannot read entry {}: {}", name, archive_error(archive)));
  }
  std::vector<char> buffer(kReadBuffer);
  while (true) {
    if (cancelled && cancelled()) throw ArchiveError("cancelled");
    const zip_int64_t n = zip_fread(file.get(), buffer.data(), buffer.size());
    if (n < 0) {
      throw ArchiveError(fmt::format("entry {} is corrupted ({})", name,
                                     zip_error_strerror(zip_file_get_error(file.get()))));
    }
    if (n == 0) break;
    sink(buffer.data(), static_cast<std::size_t>(n));
  }
}

void write_all(int fd, const char* data, std::size_t size, const std::filesystem::path& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(
          fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::size_t write_backup_archive(const std::filesystem::path& target,
                                 const std::filesystem::path& database, files::Storage& files,
                                 const std::vector<std::string>& keys,
                                 const CancelCheck& cancelled) {
  int code = 0;
  zip_t* raw = zip_open(target.c_str(), ZIP_CREATE | ZIP_EXCL, &code);
  if (raw == nullptr) {
    throw ArchiveError(fmt::format("cannot create {} (libzip error {})", target.string(), code));
  }
  Archive archive(raw);
  try {
    zip_register_cancel_callback_with_state(archive.get(), cancel_callback, nullptr,
                                            const_cast<CancelCheck*>(&cancelled));
    add_entry(archive.get(), std::string(kDatabaseEntry),
              zip_source_file_create(database.c_str(), 0, -1, nullptr));
    std::size_t packed = 0;
    for (const std::string& key : keys) {
      const std::string name = std::string(kStorageEntryPrefix) + key;
      zip_source_t* source = nullptr;
      if (auto path = files.local_path(key)) {
        source = zip_source_file_create(path->c_str(), 0, -1, nullptr);
      } else {
        auto* state = new StorageSource(files, key);
        source = zip_source_function_create(&StorageSource::callback, state, nullptr);
        if (source == nullptr) delete state;
      }
      add_entry(archive.get(), name, source);
      ++packed;
    }
    // Everything is read and written here, entry by entry.
    if (zip_close(archive.get()) != 0) {
      throw ArchiveError(
          fmt::format("cannot write {}: {}", target.string(), archive_error(archive.get())));
    }
    archive.release();  // closed: zip_close freed it
    return packed;
  } catch (...) {
    archive.reset();  // discards: nothing written
    std::error_code ignored;
    std::filesystem::remove(target, ignored);
    throw;
  }
}

ArchiveSummary inspect_backup_archive(const std::filesystem::path& path, bool verify_data,
                                      const CancelCheck& cancelled) {
  Archive archive = open_for_reading(path);
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  if (count < 0 || static_cast<std::uint64_t>(count) > kMaxEntries) {
    throw ArchiveError("the archive has too many entries");
  }
  ArchiveSummary summary;
  bool has_database = false;
  for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
    zip_stat_t stat;
    if (zip_stat_index(archive.get(), i, 0, &stat) != 0 || (stat.valid & ZIP_STAT_NAME) == 0) {
      throw ArchiveError("the archive's directory is unreadable");
    }
    const std::string_view name = stat.name;
    if (!safe_entry_name(name)) {
      throw ArchiveError(fmt::format("the archive holds an unsafe path: {}", name));
    }
    ++summary.entries;
    if (name == kDatabaseEntry) has_database = true;
    if (!restored_entry(name)) continue;
    summary.uncompressed_bytes += stat.size;
    if (verify_data) read_entry(archive.get(), i, stat.name, cancelled, [](const char*, size_t) {});
  }
  if (!has_database) throw ArchiveError("the archive holds no data.db");
  return summary;
}

void extract_backup_archive(const std::filesystem::path& path,
                            const std::filesystem::path& directory, const CancelCheck& cancelled) {
  inspect_backup_archive(path, /*verify_data=*/false, cancelled);  // names and data.db first
  Archive archive = open_for_reading(path);
  std::error_code error;
  if (!std::filesystem::create_directories(directory, error)) {
    throw std::runtime_error(fmt::format("cannot create {}: {}", directory.string(),
                                         error ? error.message() : "it exists"));
  }
  try {
    const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
    for (zip_uint64_t i = 0; i < static_cast<zip_uint64_t>(count); ++i) {
      zip_stat_t stat;
      if (zip_stat_index(archive.get(), i, 0, &stat) != 0) {
        throw ArchiveError("the archive's directory is unreadable");
      }
      const std::string_view name = stat.name;
      if (!restored_entry(name)) continue;
      const std::filesystem::path target = directory / std::filesystem::path(std::string(name));
      std::filesystem::create_directories(target.parent_path());
      // O_EXCL: two entries of the same name are an error, never an overwrite.
      const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0) {
        if (errno == EEXIST) throw ArchiveError(fmt::format("duplicate entry {}", name));
        throw std::runtime_error(
            fmt::format("cannot create {}: {}", target.string(), std::strerror(errno)));
      }
      struct Close {
        int fd;
        ~Close() { ::close(fd); }
      } close{fd};
      // Never more than the entry declares: the free-space check before a restore adds up the
      // declared sizes, and libzip checks an entry's size and CRC only at its end, so an archive
      // that lies (a deflate bomb) would otherwise fill the disk first.
      std::uint64_t written = 0;
      const std::uint64_t declared = (stat.valid & ZIP_STAT_SIZE) != 0 ? stat.size : 0;
      read_entry(archive.get(), i, stat.name, cancelled, [&](const char* data, std::size_t size) {
        written += size;
        if (written > declared) {
          throw ArchiveError(fmt::format("entry {} is larger than it declares", name));
        }
        write_all(fd, data, size, target);
      });
      if (::fsync(fd) != 0) {
        throw std::runtime_error(
            fmt::format("cannot sync {}: {}", target.string(), std::strerror(errno)));
      }
    }
  } catch (...) {
    std::filesystem::remove_all(directory, error);
    throw;
  }
}

}  // namespace basalt::backups
