// The files of file fields in the running server (docs/files.md): the local storage
// directory, the upload spool, the record service's FileStore, and the startup orphan sweep.
//
// Built after the database and the blocking pool, destroyed before them. The sweep runs on a
// thread of its own once the server serves (records/orphan_sweep.hpp says why that is safe);
// the destructor stops it between two steps and joins it.
#pragma once

#include <atomic>
#include <filesystem>
#include <thread>

#include "basalt/core/blocking_pool.hpp"
#include "basalt/files/local_storage.hpp"
#include "basalt/records/file_store.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::app {

class FileStorage {
 public:
  // `<data_dir>/storage` holds the files; `<data_dir>/uploads_tmp` the uploads being received,
  // emptied here: at startup no request is in flight, so whatever it holds is a leftover.
  FileStorage(const std::filesystem::path& data_dir, core::BlockingPool& blocking);
  ~FileStorage();
  FileStorage(const FileStorage&) = delete;
  FileStorage& operator=(const FileStorage&) = delete;

  const std::filesystem::path& spool_dir() const noexcept { return spool_dir_; }
  records::FileStore& store() noexcept { return store_; }

  // Starts the orphan sweep of objects older than now (call before the server starts).
  void start_sweep(db::Database& database, collections::CollectionService& collections);
  void stop_sweep();

 private:
  std::filesystem::path spool_dir_;
  files::LocalStorage storage_;
  records::FileStore store_;
  std::atomic<bool> stop_{false};
  std::thread sweeper_;
};

}  // namespace basalt::app
