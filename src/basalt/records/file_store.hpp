// FileStore: the record service's hands on the files of file fields (docs/files.md, "Life of a
// file"). Every storage call runs on the blocking pool, so neither a worker's I/O thread nor
// the writer ever waits for a disk or a bucket:
//
//   inspect()  before validation: the content's MIME type (libmagic) and the stored name;
//   put()      after validation, before the write job: each new file at its final key, which
//              no record references yet;
//   remove()   after the commit that dropped the files (or after the job failed, for the ones
//              put() stored). Failures are logged, never thrown: the commit already happened,
//              and what is left is an orphan for the startup sweep.
//
// Thread safety: stateless besides its references; any number of calls at once.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/temp_file.hpp"
#include "basalt/files/deletion_gate.hpp"
#include "basalt/files/keys.hpp"
#include "basalt/files/storage.hpp"

namespace basalt::records {

// One uploaded file of a write, as the transport kept it.
struct Upload {
  std::string part;        // part name as sent: "avatar", "avatar+", "+avatar"
  std::string filename;    // as sent (not yet reduced or normalised)
  std::uint64_t size = 0;  // bytes the part had
  // False when the transport did not keep the bytes (over the limit it set for the part, which
  // is the field's maxSize): the upload fails validation on its size.
  bool kept = true;
  core::TempFile file;  // the bytes, when kept
};

// What inspect() found out about one upload.
struct InspectedUpload {
  std::string original;  // the sent name reduced to its last path segment (files::base_name)
  std::string name;      // the stored name (files::normalize_file_name)
  std::string mime;      // detected from the content; "" when not kept
};

class FileStore {
 public:
  // Each call takes the backend from `storage` once (files::StorageSource). With a `gate`,
  // every removal goes through it (held back while a backup copies files:
  // files/deletion_gate.hpp); the gate must remove from the same backends.
  FileStore(files::StorageSource storage, core::BlockingPool& blocking,
            files::DeletionGate* gate = nullptr)
      : storage_(std::move(storage)), blocking_(blocking), gate_(gate) {}

  boost::asio::awaitable<std::vector<InspectedUpload>> inspect(
      const std::vector<Upload>& uploads) const;

  // Stores each file at its key (moving it when the backend can). On failure removes those it
  // stored and rethrows (ApiError 503 when the pool is saturated, StorageError otherwise).
  struct Put {
    std::string key;
    core::TempFile* file;
    std::string mime;
  };
  boost::asio::awaitable<void> put(std::vector<Put> items) const;

  // Removes `keys` and everything under `prefixes`; never throws (see above).
  boost::asio::awaitable<void> remove(std::vector<std::string> keys,
                                      std::vector<std::string> prefixes) const;
  // The same, on the calling thread (a blocking-pool thread, or the sweep's).
  void remove_now(const std::vector<std::string>& keys,
                  const std::vector<std::string>& prefixes) const noexcept;

 private:
  std::shared_ptr<files::Storage> backend() const;

  files::StorageSource storage_;
  core::BlockingPool& blocking_;
  files::DeletionGate* gate_;
};

}  // namespace basalt::records
