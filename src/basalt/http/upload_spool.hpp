// UploadSpool: a multipart/form-data body parsed while it arrives, with the data of file parts
// written to temporary files instead of memory (docs/files.md, "Uploads"). The connection
// feeds it the body of a route that declared an UploadPlan; the handler takes the parts and
// files after the body is complete.
//
// Memory is bounded by the plan, not by the uploads: one part's header block, the plain values
// (each MultipartLimits::max_value_bytes, all together `max_value_total`), and a 64 KiB write
// buffer. A file part whose data passes the plan's limit for its name stops being written: its
// temporary file is deleted at once, its size is still counted (so the record service can
// report the field's size error as PocketBase does), and it is marked not kept.
//
// Temporary files are core::TempFile: deleted when the spool (or whoever took them) is
// destroyed, so a request that fails, is refused or loses its connection leaves nothing.
//
// Errors (a malformed body, too many parts, a file that could not be written) are recorded,
// not thrown: the rest of the body is then read and ignored, and the handler answers 400 (or
// 500 for a write failure) through the usual error path.
//
// The bytes of kept file parts are reserved in the process-wide SpoolBudget as they are written
// (spool_budget.hpp) and given back when the spool is destroyed, at the end of the request,
// after its files were renamed into storage or deleted; a part dropped over its limit gives its
// bytes back at once. When the budget has no room, the spool deletes every file it holds,
// ignores the rest of the body and reports over_budget(): the connection answers 503.
//
// Thread safety: one spool per request, used by the connection's worker thread. Its writes
// are buffered page-cache writes without fsync (the data is copied or renamed into storage,
// which fsyncs, only when a record takes it).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/temp_file.hpp"
#include "basalt/http/multipart.hpp"
#include "basalt/http/spool_budget.hpp"

namespace basalt::http {

// What a route declares for multipart bodies that may carry uploads (router.hpp).
struct UploadPlan {
  std::uint64_t max_body_bytes = 0;  // the whole body; 413 past it
  // False (record writes, batches): max_body_bytes is further capped by the server's
  // HttpLimits::max_upload_body_bytes. True: it is the route's own configured limit, taken
  // as is (a backup archive upload, bounded by a setting of its own).
  bool own_limit = false;
  // Set: who may have the body spooled. The connection awaits it on its worker with the
  // request's Authorization header value ("" when absent) before reading any body byte; false
  // (or a throw) drops the plan, and the body is read as any other request's (max-body-bytes,
  // in memory) for the route's own access check to answer. So a route whose limit is large
  // (a backup archive) spools nothing to disk for a caller it will refuse anyway.
  std::function<boost::asio::awaitable<bool>(std::string authorization)> admit;
  std::filesystem::path spool_dir;  // where file parts are written while they arrive
  // The most bytes a file part named `part_name` may keep; past it the part is counted and
  // dropped. Null: every part may keep up to max_body_bytes.
  std::function<std::uint64_t(std::string_view part_name)> max_file_bytes;
};

struct SpooledFile {
  std::string field;         // part name as sent
  std::string filename;      // as sent
  std::string content_type;  // as sent (never trusted for anything)
  std::uint64_t size = 0;    // bytes the part had
  bool kept = false;         // false: over the plan's limit for its name; `file` is empty
  core::TempFile file;       // the bytes, when kept
};

class UploadSpool final : private FileSink {
 public:
  // `boundary`: from multipart_boundary(). `max_value_total`: all plain values together.
  // `budget` (may be null: no bound) must outlive the spool.
  UploadSpool(UploadPlan plan, std::string_view boundary, MultipartLimits limits,
              std::uint64_t max_value_total, SpoolBudget* budget = nullptr);
  UploadSpool(const UploadSpool&) = delete;
  UploadSpool& operator=(const UploadSpool&) = delete;

  void feed(std::string_view chunk);
  // The body is complete: a missing final boundary becomes the error.
  void finish();

  const MultipartError& error() const noexcept { return parser_.error(); }
  // True when the error is ours (the disk), not the client's body.
  bool failed_to_store() const noexcept { return error().code == MultipartErrc::kSinkFailed; }
  // True once a file part found no room in the budget: nothing is kept, the body is ignored.
  bool over_budget() const noexcept { return over_budget_; }
  // Bytes this request holds of the budget.
  std::uint64_t reserved() const noexcept { return reservation_.held(); }

  // Parts in body order; a file part has empty data, and its file is the next of take_files().
  std::vector<MultipartPart> take_parts() { return parser_.take_parts(); }
  std::vector<SpooledFile> take_files() { return std::exchange(files_, {}); }

 private:
  void open(const MultipartPart& part) override;
  void write(std::string_view bytes) override;
  void close() override;
  void flush_buffer();

  UploadPlan plan_;
  MultipartParser parser_;
  std::vector<SpooledFile> files_;
  std::uint64_t current_limit_ = 0;     // of the file part being written
  std::string buffer_;                  // bytes of that part not yet written
  SpoolReservation reservation_;        // every kept byte of every part, until destroyed
  std::uint64_t current_reserved_ = 0;  // of it, the part being written's
  bool over_budget_ = false;
};

}  // namespace basalt::http
