#include "basalt/records/file_removal_drain.hpp"

#include <spdlog/spdlog.h>

#include "basalt/collections/file_removals.hpp"
#include "basalt/files/keys.hpp"

namespace basalt::records {
namespace {

// Removes what one queued row names; throws on the first failure.
std::size_t remove_queued(const collections::FileRemoval& removal, files::Storage& storage,
                          files::DeletionGate* gate) {
  auto remove_key = [&](const std::string& key) { gate ? gate->remove(key) : storage.remove(key); };
  auto remove_prefix = [&](const std::string& prefix) {
    gate ? gate->remove_prefix(prefix) : storage.remove_prefix(prefix);
  };
  if (removal.record_id.empty()) {
    remove_prefix(removal.collection_id);
    return 1;
  }
  std::size_t removed = 0;
  for (const std::string& name : removal.names) {
    remove_key(files::file_key(removal.collection_id, removal.record_id, name));
    remove_prefix(files::thumbs_prefix(removal.collection_id, removal.record_id, name));
    removed += 2;
  }
  return removed;
}

}  // namespace

boost::asio::awaitable<DrainReport> drain_file_removals(db::Database& database,
                                                        files::Storage& storage,
                                                        DrainOptions options,
                                                        const std::atomic<bool>& stop) {
  DrainReport report;
  while (!stop.load()) {
    std::vector<collections::FileRemoval> page =
        co_await collections::next_file_removals(database, options.page_size);
    if (page.empty()) break;
    std::vector<std::string> done;
    done.reserve(page.size());
    for (const collections::FileRemoval& removal : page) {
      if (removal.record_id.empty() && options.collection_exists &&
          options.collection_exists(removal.collection_id)) {
        ++report.skipped;  // re-created meanwhile (see the header)
        done.push_back(removal.id);
        continue;
      }
      try {
        report.removed += remove_queued(removal, storage, options.gate);
        done.push_back(removal.id);
      } catch (const std::exception& error) {
        spdlog::warn(
            "files: removal of the files a collection change dropped under {}/{} failed, "
            "kept for a later try: {}",
            removal.collection_id, removal.record_id, error.what());
        report.failed = true;
        break;
      }
    }
    co_await collections::forget_file_removals(database, done);
    report.rows += done.size();
    if (report.failed) break;
  }
  co_return report;
}

}  // namespace basalt::records
