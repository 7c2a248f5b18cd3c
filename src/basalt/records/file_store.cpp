#include "basalt/records/file_store.hpp"

#include <spdlog/spdlog.h>

#include "basalt/files/file_names.hpp"
#include "basalt/files/mime_type.hpp"

namespace basalt::records {

boost::asio::awaitable<std::vector<InspectedUpload>> FileStore::inspect(
    const std::vector<Upload>& uploads) const {
  auto task = [&uploads] {
    std::vector<InspectedUpload> out;
    out.reserve(uploads.size());
    for (const Upload& upload : uploads) {
      InspectedUpload inspected;
      inspected.original = files::base_name(upload.filename);
      if (upload.kept && upload.file) inspected.mime = files::detect_mime_type(upload.file.path());
      inspected.name = files::normalize_file_name(inspected.original, inspected.mime);
      out.push_back(std::move(inspected));
    }
    return out;
  };
  co_return co_await blocking_.run(std::move(task));
}

std::shared_ptr<files::Storage> FileStore::backend() const {
  std::shared_ptr<files::Storage> storage = storage_ ? storage_() : nullptr;
  if (!storage) throw files::StorageError("no file storage backend is configured");
  return storage;
}

boost::asio::awaitable<void> FileStore::put(std::vector<Put> items) const {
  auto task = [this, &items] {
    const std::shared_ptr<files::Storage> storage = backend();
    std::size_t done = 0;
    try {
      for (; done < items.size(); ++done) {
        storage->put_file_moving(items[done].key, *items[done].file, items[done].mime);
      }
    } catch (...) {
      // The failing one too: it may be in place already (a rename done, its fsync failed).
      std::vector<std::string> stored;
      for (std::size_t i = 0; i <= done && i < items.size(); ++i) stored.push_back(items[i].key);
      remove_now(stored, {});
      throw;
    }
  };
  co_await blocking_.run(std::move(task));
}

boost::asio::awaitable<void> FileStore::remove(std::vector<std::string> keys,
                                               std::vector<std::string> prefixes) const {
  if (keys.empty() && prefixes.empty()) co_return;
  try {
    auto task = [this, &keys, &prefixes] { remove_now(keys, prefixes); };
    co_await blocking_.run(std::move(task));
  } catch (const std::exception& error) {
    // The pool refused (saturated or stopping): the files stay as orphans for the sweep.
    spdlog::warn("files: {} removals left for the startup sweep: {}", keys.size() + prefixes.size(),
                 error.what());
  }
}

void FileStore::remove_now(const std::vector<std::string>& keys,
                           const std::vector<std::string>& prefixes) const noexcept {
  if (keys.empty() && prefixes.empty()) return;
  if (gate_) {
    for (const std::string& key : keys) {
      try {
        gate_->remove(key);
      } catch (const std::exception& error) {
        spdlog::warn("files: cannot remove {}: {}", key, error.what());
      }
    }
    for (const std::string& prefix : prefixes) {
      try {
        gate_->remove_prefix(prefix);
      } catch (const std::exception& error) {
        spdlog::warn("files: cannot remove {}/: {}", prefix, error.what());
      }
    }
    return;
  }
  std::shared_ptr<files::Storage> storage;
  try {
    storage = backend();
  } catch (const std::exception& error) {
    spdlog::warn("files: {} removals left for the startup sweep: {}", keys.size() + prefixes.size(),
                 error.what());
    return;
  }
  for (const std::string& key : keys) {
    try {
      storage->remove(key);
    } catch (const std::exception& error) {
      spdlog::warn("files: cannot remove {}: {}", key, error.what());
    }
  }
  for (const std::string& prefix : prefixes) {
    try {
      storage->remove_prefix(prefix);
    } catch (const std::exception& error) {
      spdlog::warn("files: cannot remove {}/: {}", prefix, error.what());
    }
  }
}

}  // namespace basalt::records
