#include "basalt/app/file_storage.hpp"

#include <spdlog/spdlog.h>

#include "basalt/api/s3_settings.hpp"
#include "basalt/app/run_blocking.hpp"
#include "basalt/records/file_removal_drain.hpp"
#include "basalt/records/orphan_sweep.hpp"

namespace basalt::app {
namespace {

namespace fs = std::filesystem;

fs::path empty_spool(const fs::path& dir) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) throw std::runtime_error("cannot empty " + dir.string() + ": " + ec.message());
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  fs::permissions(dir, fs::perms::owner_all, ec);
  return dir;
}

void apply(files::ActiveStorage& storage, const settings::S3Settings& s3) {
  try {
    storage.apply(api::enabled_s3_config(s3));
  } catch (const files::StorageError& error) {
    // StorageError messages never carry credentials (files/storage.hpp).
    spdlog::error("S3 settings not applied, the store stays on its previous backend: {}",
                  error.what());
  }
}

}  // namespace

const settings::S3Settings& files_s3_settings(const settings::AppSettings& settings) {
  return settings.s3;
}

void follow_s3_settings(settings::SettingsService& settings, files::ActiveStorage& storage,
                        S3SettingsOf which) {
  // Listen first, then apply what is current: a change published in between is applied by the
  // listener, and current() is at least as new as anything it applied (apply is idempotent).
  settings.on_publish(
      [&storage, which](const settings::AppSettings& next) { apply(storage, which(next)); });
  apply(storage, which(*settings.current()));
}

FileStorage::FileStorage(const fs::path& data_dir, core::BlockingPool& blocking,
                         settings::SettingsService& settings)
    : spool_dir_(empty_spool(data_dir / "uploads_tmp")),
      active_(std::make_shared<files::LocalStorage>(data_dir / "storage")),
      following_(source()),
      gate_(following_),
      store_(source(), blocking, &gate_) {
  follow_s3_settings(settings, active_);
}

FileStorage::~FileStorage() {
  stop_drain();
  stop_sweep();
}

void FileStorage::start_sweep(db::Database& database, collections::CollectionService& collections) {
  records::SweepOptions options;
  options.older_than = std::chrono::system_clock::now();
  options.gate = &gate_;  // a backup running meanwhile keeps every file it may copy
  auto catalog = collections.catalog();
  // The sweep keeps the backend in use when it starts (a switch meanwhile is not followed).
  sweeper_ = std::thread([this, &database, catalog, options, storage = active_.get()] {
    try {
      records::SweepReport report =
          run_blocking(records::sweep_orphan_files(database, catalog, *storage, options, stop_));
      if (report.removed > 0 || report.kept_recent > 0 || report.foreign > 0) {
        spdlog::info(
            "files sweep: {} stored objects, {} orphans removed, {} not Basalt's left alone",
            report.objects, report.removed, report.foreign);
      }
    } catch (const std::exception& error) {
      spdlog::warn("files sweep stopped: {}", error.what());
    }
  });
}

void FileStorage::stop_sweep() {
  stop_ = true;
  if (sweeper_.joinable()) sweeper_.join();
}

void FileStorage::start_drain(db::Database& database, collections::CollectionService& collections) {
  collections.on_files_queued([this] { wake_drain(); });
  drain_pending_ = true;  // what a previous run left queued
  drainer_ = std::thread([this, &database, &collections] {
    for (;;) {
      {
        std::unique_lock lock(drain_mutex_);
        drain_signal_.wait(lock, [this] { return drain_pending_ || drain_stop_.load(); });
        if (drain_stop_.load()) return;
        drain_pending_ = false;
      }
      try {
        records::DrainOptions options;
        options.gate = &gate_;  // a backup running meanwhile keeps every file it may copy
        options.collection_exists = [&collections](std::string_view id) {
          return collections.catalog()->find(id) != nullptr;
        };
        const records::DrainReport report =
            run_blocking(records::drain_file_removals(database, following_, options, drain_stop_));
        if (report.rows > 0) {
          spdlog::info("files: removed the files of {} dropped fields' records or collections",
                       report.rows);
        }
      } catch (const std::exception& error) {
        // The rows stay queued: the next wake or start tries again.
        spdlog::warn("files: removal of dropped files stopped: {}", error.what());
      }
    }
  });
}

void FileStorage::wake_drain() {
  {
    std::lock_guard lock(drain_mutex_);
    drain_pending_ = true;
  }
  drain_signal_.notify_one();
}

void FileStorage::stop_drain() {
  {
    std::lock_guard lock(drain_mutex_);
    drain_stop_ = true;
  }
  drain_signal_.notify_one();
  if (drainer_.joinable()) drainer_.join();
}

}  // namespace basalt::app
