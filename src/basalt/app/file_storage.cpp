#include "basalt/app/file_storage.hpp"

#include <spdlog/spdlog.h>

#include "basalt/app/run_blocking.hpp"
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

}  // namespace

FileStorage::FileStorage(const fs::path& data_dir, core::BlockingPool& blocking)
    : spool_dir_(empty_spool(data_dir / "uploads_tmp")),
      storage_(data_dir / "storage"),
      store_(storage_, blocking) {}

FileStorage::~FileStorage() {
  stop_sweep();
}

void FileStorage::start_sweep(db::Database& database, collections::CollectionService& collections) {
  records::SweepOptions options;
  options.older_than = std::chrono::system_clock::now();
  auto catalog = collections.catalog();
  sweeper_ = std::thread([this, &database, catalog, options] {
    try {
      records::SweepReport report =
          run_blocking(records::sweep_orphan_files(database, catalog, storage_, options, stop_));
      if (report.removed > 0 || report.kept_recent > 0) {
        spdlog::info("files sweep: {} stored objects, {} orphans removed", report.objects,
                     report.removed);
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

}  // namespace basalt::app
