#include "basalt/backups/backup_service.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <fstream>

#include "basalt/backups/backup_archive.hpp"
#include "basalt/backups/backup_names.hpp"
#include "basalt/backups/restore_swap.hpp"
#include "basalt/backups/restored_files.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/db/dialect.hpp"
#include "basalt/db/sqlite/sqlite_database.hpp"
#include "basalt/schema/ids.hpp"
#include "basalt/settings/settings_json.hpp"

namespace basalt::backups {
namespace {

namespace json = boost::json;

constexpr std::string_view kContentType = "application/zip";
constexpr std::string_view kManualPrefix = "pb_backup_";
// PocketBase's prefix of scheduled backups; only these are deleted past cronMaxKeep.
constexpr std::string_view kAutoPrefix = "@auto_pb_backup_";
constexpr std::string_view kValidationFailed =
    "An error occurred while validating the submitted data.";

core::ApiError field_error(std::string_view field, std::string_view code,
                           std::string_view message) {
  json::object error{{"code", code}, {"message", message}};
  return core::ApiError::bad_request(std::string(kValidationFailed),
                                     json::object{{field, std::move(error)}});
}

core::ApiError busy_error() {
  return core::ApiError::bad_request(
      "Try again later - another backup/restore process has already been started.");
}

// Removes a path (file or directory) when the scope ends, unless released.
class TempPath {
 public:
  explicit TempPath(std::filesystem::path path) : path_(std::move(path)) {}
  ~TempPath() {
    if (path_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  void release() noexcept { path_.clear(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

BackupService::BackupService(BackupServiceParts parts)
    : parts_(std::move(parts)),
      long_pool_({1, 8, metrics::Pool::kBackups}),
      short_pool_({2, 256, metrics::Pool::kBackups}) {
  std::error_code error;
  std::filesystem::remove_all(temp_dir(), error);
  std::filesystem::create_directories(temp_dir(), error);
  if (error) {
    throw std::runtime_error(
        fmt::format("cannot create {}: {}", temp_dir().string(), error.message()));
  }
}

BackupService::~BackupService() {
  stop();
}

void BackupService::stop() {
  stopping_.store(true);
  long_pool_.shutdown();
  short_pool_.shutdown();
}

bool BackupService::busy() const {
  std::lock_guard lock(mutex_);
  return active_.has_value();
}

void BackupService::begin(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (active_) throw busy_error();
  active_ = name;
}

void BackupService::end() noexcept {
  std::lock_guard lock(mutex_);
  active_.reset();
}

std::shared_ptr<files::Storage> BackupService::backups_store() const {
  std::shared_ptr<files::Storage> store = parts_.backups ? parts_.backups() : nullptr;
  if (!store) throw files::StorageError("no backups store is configured");
  return store;
}

std::filesystem::path BackupService::temp_path(std::string_view prefix) const {
  return temp_dir() / fmt::format("{}{}", prefix, schema::random_string(12));
}

boost::asio::awaitable<std::vector<BackupInfo>> BackupService::list() {
  co_return co_await short_pool_.run([&] {
    std::vector<BackupInfo> out;
    try {
      const std::shared_ptr<files::Storage> store = backups_store();
      for (std::string& key : store->list("")) {
        if (!valid_backup_key(key)) continue;  // not an archive this API made or accepted
        auto info = store->stat(key);
        if (!info) continue;  // deleted meanwhile
        out.push_back({std::move(key), info->size, info->modified});
      }
    } catch (const files::StorageError& error) {
      spdlog::error("backups: cannot list the backups store: {}", error.what());
      throw core::ApiError::bad_request("Failed to retrieve backup items.");
    }
    std::sort(out.begin(), out.end(),
              [](const BackupInfo& a, const BackupInfo& b) { return a.key < b.key; });
    return out;
  });
}

boost::asio::awaitable<void> BackupService::create(const std::string& requested_name) {
  refuse_without_snapshots();
  std::string name = requested_name;
  const bool named = !name.empty();
  if (named && name.size() > kMaxBackupNameLength) {
    throw field_error("name", "validation_length_out_of_range",
                      "The length must be between 1 and 150.");
  }
  if (named && !valid_backup_name(name)) {
    throw field_error("name", "validation_match_invalid", "Must be in a valid format.");
  }
  if (!named) {
    name = default_backup_name(kManualPrefix, parts_.settings.current()->meta.app_name,
                               parts_.clock.now());
  }
  begin(name);
  struct End {
    BackupService& service;
    ~End() { service.end(); }
  } release{*this};
  co_await long_pool_.run([&] {
    std::optional<files::ObjectInfo> existing;
    std::shared_ptr<files::Storage> store;
    try {
      store = backups_store();  // the archive goes where the name was checked
      existing = store->stat(name);
    } catch (const files::StorageError& error) {
      spdlog::error("backups: cannot check {}: {}", name, error.what());
      throw core::ApiError::bad_request("Failed to create backup.");
    }
    if (existing) {
      throw field_error("name", "validation_backup_name_exists",
                        "The backup file name is invalid or already exists.");
    }
    try {
      create_blocking(name, *store);
    } catch (const core::ApiError&) {
      throw;
    } catch (const std::exception& error) {
      spdlog::error("backups: creating {} failed: {}", name, error.what());
      throw core::ApiError::bad_request("Failed to create backup.");
    }
  });
}

void BackupService::create_scheduled(std::int64_t max_keep) {
  refuse_without_snapshots();
  const std::string name = default_backup_name(
      kAutoPrefix, parts_.settings.current()->meta.app_name, parts_.clock.now());
  begin(name);
  struct End {
    BackupService& service;
    ~End() { service.end(); }
  } release{*this};
  const std::shared_ptr<files::Storage> store = backups_store();
  create_blocking(name, *store);
  spdlog::info("backups: created the automatic backup {}", name);
  // The newest max_keep automatic backups stay (by time, then name: names carry the time).
  std::vector<BackupInfo> automatic;
  for (std::string& key : store->list("")) {  // list() takes a directory, not a name prefix
    if (!key.starts_with(kAutoPrefix) || !valid_backup_key(key)) continue;
    auto info = store->stat(key);
    if (info) automatic.push_back({std::move(key), info->size, info->modified});
  }
  std::sort(automatic.begin(), automatic.end(), [](const BackupInfo& a, const BackupInfo& b) {
    return a.modified != b.modified ? a.modified > b.modified : a.key > b.key;
  });
  const std::size_t keep = static_cast<std::size_t>(std::max<std::int64_t>(max_keep, 1));
  for (std::size_t i = keep; i < automatic.size(); ++i) {
    store->remove(automatic[i].key);
    spdlog::info("backups: deleted the old automatic backup {}", automatic[i].key);
  }
}

void BackupService::refuse_without_snapshots() const {
  // A backup archive holds an SQLite file (data.db): a PostgreSQL database is neither copied
  // into one nor replaced by one (its own tools back it up: docs/postgres.md).
  if (parts_.database.dialect().name() != "sqlite") {
    throw core::ApiError::bad_request(
        "Backups are not available when the data is stored in PostgreSQL; use pg_dump.");
  }
}

void BackupService::create_blocking(const std::string& name, files::Storage& store) {
  const auto started = std::chrono::steady_clock::now();
  TempPath work(temp_path("backup_"));
  std::filesystem::create_directories(work.path());
  const std::filesystem::path database = work.path() / kDatabaseEntry;
  const std::filesystem::path archive = work.path() / name;
  std::size_t packed = 0;
  {
    // Invariant 2: taken before the snapshot, released once every file is packed.
    files::DeletionGate::Hold hold(parts_.gate);
    const std::function<bool()> cancel = [this] { return cancelled(); };
    parts_.database.copy_snapshot(database.string(), cancel);
    std::vector<std::string> keys = parts_.files.list("");
    // Only the files of records (<collectionId>/<recordId>/<name>, thumbnails deeper): a
    // bucket shared with other things — backup archives at its root, the settings test's
    // prefix — keeps those out of the archive (and out of a restore).
    std::erase_if(
        keys, [](const std::string& key) { return std::count(key.begin(), key.end(), '/') < 2; });
    std::sort(keys.begin(), keys.end());
    packed = write_backup_archive(archive, database, parts_.files, keys, cancel);
  }
  std::filesystem::remove(database);
  store.put_file(name, archive, kContentType);
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  spdlog::info("backups: created {} ({} stored files, {} bytes) in {} ms", name, packed,
               std::filesystem::file_size(archive), elapsed.count());
}

boost::asio::awaitable<void> BackupService::upload(UploadedBackup& archive) {
  co_await long_pool_.run([&] { upload_blocking(archive); });
}

void BackupService::upload_blocking(UploadedBackup& upload) {
  const std::string& filename = upload.filename;
  if (!valid_backup_name(filename)) {
    throw field_error("file", "validation_match_invalid",
                      "The file name must match ^[a-z0-9_-]+\\.zip$ and be at most 150 "
                      "characters.");
  }
  try {
    inspect_backup_archive(upload.file.path(), /*verify_data=*/true,
                           [this] { return cancelled(); });
  } catch (const ArchiveError& error) {
    spdlog::info("backups: refused upload {}: {}", filename, error.what());
    const std::string reason = error.what();
    if (reason.starts_with("not a valid zip")) {
      throw field_error("file", "validation_invalid_mime_type",
                        fmt::format("\"{}\" mime type must be one of: application/zip.", filename));
    }
    throw field_error("file", "validation_invalid_file",
                      fmt::format("Invalid backup file: {}.", reason));
  }
  try {
    const std::shared_ptr<files::Storage> store = backups_store();
    if (store->stat(filename)) {
      throw field_error("file", "validation_backup_name_exists",
                        "Backup file with the specified name already exists.");
    }
    store->put_file_moving(filename, upload.file, kContentType);
  } catch (const files::StorageError& error) {
    spdlog::error("backups: cannot store the upload {}: {}", filename, error.what());
    throw core::ApiError::bad_request("Failed to upload backup.");
  }
  spdlog::info("backups: uploaded {}", filename);
}

boost::asio::awaitable<void> BackupService::remove(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    if (!key.empty() && active_ && *active_ == key) {
      throw core::ApiError::bad_request(
          "The backup is currently being used and cannot be deleted.");
    }
  }
  co_await short_pool_.run([&] {
    const auto missing = [] {
      return core::ApiError::bad_request("Invalid or already deleted backup file.");
    };
    if (!valid_backup_key(key)) throw missing();
    try {
      const std::shared_ptr<files::Storage> store = backups_store();
      if (!store->stat(key)) throw missing();
      store->remove(key);
    } catch (const files::StorageError& error) {
      spdlog::error("backups: cannot delete {}: {}", key, error.what());
      throw missing();
    }
    spdlog::info("backups: deleted {}", key);
  });
}

boost::asio::awaitable<void> BackupService::restore(const std::string& key) {
  refuse_without_snapshots();
  begin(key);
  bool keep_active = false;
  struct End {
    BackupService& service;
    bool& keep;
    ~End() {
      if (!keep) service.end();
    }
  } release{*this, keep_active};
  co_await long_pool_.run([&] {
    restore_blocking(key);
    keep_active = true;  // invariant 1: the process restarts on the restored data
  });
  // The restart is asked for before this request is answered: the server's graceful shutdown
  // lets requests in flight, this one included, finish their responses first.
  staged_.store(true);
  if (parts_.on_restore_staged) parts_.on_restore_staged();
}

void BackupService::restore_blocking(const std::string& key) {
  const auto missing = [] {
    return core::ApiError::bad_request("Missing or invalid backup file.");
  };
  const auto invalid = [](std::string_view reason) {
    return core::ApiError::bad_request(fmt::format("Invalid backup file: {}.", reason));
  };
  if (!valid_backup_key(key)) throw missing();
  std::optional<files::ObjectInfo> info;
  std::optional<std::filesystem::path> local;
  std::shared_ptr<files::Storage> store;
  try {
    store = backups_store();  // every read of this restore from the same backend
    info = store->stat(key);
    if (info) local = store->local_path(key);
  } catch (const files::StorageError& error) {
    spdlog::error("backups: cannot read {}: {}", key, error.what());
    throw missing();
  }
  if (!info) throw missing();
  const auto cancel = [this] { return cancelled(); };
  try {
    // A remote archive is fetched whole first (libzip reads the central directory at the end).
    TempPath download(local ? std::filesystem::path() : temp_path("restore_zip_"));
    if (!local) {
      std::ofstream out(download.path(), std::ios::binary);
      constexpr std::uint64_t kChunk = 4 << 20;
      for (std::uint64_t offset = 0; offset < info->size; offset += kChunk) {
        if (cancelled()) throw std::runtime_error("cancelled");
        const std::string chunk = store->read_range(key, offset, kChunk);
        if (chunk.empty()) break;
        out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      }
      out.close();
      if (!out) throw std::runtime_error("cannot write the downloaded archive");
    }
    const std::filesystem::path archive = local ? *local : download.path();
    const ArchiveSummary summary = inspect_backup_archive(archive, false, cancel);
    const std::filesystem::space_info space = std::filesystem::space(parts_.data_dir);
    if (summary.uncompressed_bytes > space.available) {
      throw core::ApiError::bad_request("Not enough free disk space to restore the backup.");
    }
    TempPath extracted(temp_path("restore_"));
    extract_backup_archive(archive, extracted.path(), cancel);
    if (auto problem = db::database_file_problem((extracted.path() / kDatabaseEntry).string())) {
      throw invalid(*problem);
    }
    place_restored_files(extracted.path());
    RestoreSwap(parts_.data_dir).stage(extracted.path());
    extracted.release();  // it is .restore/incoming now
  } catch (const core::ApiError&) {
    throw;
  } catch (const ArchiveError& error) {
    spdlog::warn("backups: refused to restore {}: {}", key, error.what());
    throw invalid(error.what());
  } catch (const std::exception& error) {
    spdlog::error("backups: restoring {} failed: {}", key, error.what());
    throw core::ApiError::bad_request("Failed to restore backup.");
  }
  spdlog::info("backups: {} is staged for restore; the server restarts on it", key);
}

void BackupService::place_restored_files(const std::filesystem::path& extracted) {
  if (!parts_.restored_files) return;
  settings::AppSettings restored;
  try {
    restored = settings::settings_from_storage(
        db::database_file_param((extracted / kDatabaseEntry).string(), settings::kSettingsParam));
  } catch (const std::exception& error) {
    spdlog::warn("backups: the restored settings cannot be read: {}", error.what());
    throw ArchiveError("the settings stored in data.db cannot be read");
  }
  std::shared_ptr<files::Storage> target;
  try {
    target = parts_.restored_files(restored);
  } catch (const files::StorageError& error) {
    spdlog::warn("backups: the restored S3 settings are unusable: {}", error.what());
    throw core::ApiError::bad_request(
        "Failed to restore backup: the file storage its settings name cannot be used.");
  }
  if (!target) return;  // the local directory: storage/ is staged with data.db
  const std::filesystem::path storage = extracted / "storage";
  std::size_t placed = 0;
  try {
    placed = put_restored_files(storage, *target, [this] { return cancelled(); });
  } catch (const files::StorageError& error) {
    spdlog::error("backups: cannot put the restored files into the {} store: {}", target->kind(),
                  error.what());
    throw core::ApiError::bad_request(
        "Failed to restore backup: its files could not be stored in the file storage its "
        "settings name.");
  }
  // Staged without storage/: the swap leaves the local directory empty, which the restored
  // settings do not read.
  std::filesystem::remove_all(storage);
  spdlog::info("backups: {} restored files put into the {} store", placed, target->kind());
}

boost::asio::awaitable<std::optional<OpenedBackup>> BackupService::open(const std::string& key) {
  if (!valid_backup_key(key)) co_return std::nullopt;
  co_return co_await short_pool_.run([&]() -> std::optional<OpenedBackup> {
    OpenedBackup opened;
    opened.store = backups_store();
    std::optional<files::ObjectInfo> info = opened.store->stat(key);
    if (!info) return std::nullopt;
    opened.info = std::move(*info);
    if (const auto path = opened.store->local_path(key)) {
      const int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return std::nullopt;  // deleted meanwhile
      struct stat status {};
      if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
        ::close(fd);
        return std::nullopt;
      }
      opened.info.size = static_cast<std::uint64_t>(status.st_size);  // what the fd holds
      opened.fd = fd;
    }
    return opened;
  });
}

boost::asio::awaitable<std::string> BackupService::read(std::shared_ptr<files::Storage> store,
                                                        std::string key, std::uint64_t offset,
                                                        std::uint64_t length) {
  co_return co_await short_pool_.run([&] { return store->read_range(key, offset, length); });
}

}  // namespace basalt::backups
