#include "basalt/http/upload_spool.hpp"

#include <algorithm>

namespace basalt::http {
namespace {

constexpr std::size_t kWriteBuffer = 64 * 1024;

}  // namespace

UploadSpool::UploadSpool(UploadPlan plan, std::string_view boundary, MultipartLimits limits,
                         std::uint64_t max_value_total, SpoolBudget* budget)
    : plan_(std::move(plan)),
      parser_(boundary,
              [&] {
                // A file part is bounded by the whole body here; the plan's per-name limit is
                // enforced by write() without failing the body.
                limits.max_file_bytes = static_cast<std::size_t>(plan_.max_body_bytes);
                limits.max_value_total_bytes = static_cast<std::size_t>(max_value_total);
                return limits;
              }()),
      reservation_(budget) {
  parser_.set_file_sink(this);
}

void UploadSpool::feed(std::string_view chunk) {
  parser_.feed(chunk);
}

void UploadSpool::finish() {
  parser_.finish();
}

void UploadSpool::open(const MultipartPart& part) {
  current_reserved_ = 0;
  if (over_budget_) {
    // Nothing more is kept (see the header): the part is only counted.
    files_.push_back(SpooledFile{part.name, part.filename, part.content_type, 0, false, {}});
    return;
  }
  SpooledFile file;
  file.field = part.name;
  file.filename = part.filename;
  file.content_type = part.content_type;
  current_limit_ = plan_.max_file_bytes ? plan_.max_file_bytes(part.name) : plan_.max_body_bytes;
  if (current_limit_ > 0) {
    file.file = core::TempFile::create(plan_.spool_dir, "upload");
    file.kept = true;
  }
  files_.push_back(std::move(file));
  buffer_.clear();
}

void UploadSpool::write(std::string_view bytes) {
  SpooledFile& file = files_.back();
  file.size += bytes.size();
  if (!file.kept) return;
  if (file.size > current_limit_) {
    // Over the limit for its field: counted, never stored.
    file.kept = false;
    file.file = core::TempFile();
    buffer_.clear();
    reservation_.shrink(current_reserved_);
    current_reserved_ = 0;
    return;
  }
  if (!reservation_.grow(bytes.size())) {
    // No room left in the process-wide budget: keep nothing of this request.
    over_budget_ = true;
    for (SpooledFile& spooled : files_) {
      spooled.kept = false;
      spooled.file = core::TempFile();
    }
    buffer_.clear();
    reservation_.reset();
    current_reserved_ = 0;
    return;
  }
  current_reserved_ += bytes.size();
  if (buffer_.size() + bytes.size() > kWriteBuffer) {
    flush_buffer();
    if (bytes.size() >= kWriteBuffer) {
      file.file.write(bytes);
      return;
    }
  }
  buffer_.append(bytes);
}

void UploadSpool::close() {
  SpooledFile& file = files_.back();
  if (!file.kept) return;
  flush_buffer();
  file.file.close();
}

void UploadSpool::flush_buffer() {
  if (buffer_.empty()) return;
  files_.back().file.write(buffer_);
  buffer_.clear();
}

}  // namespace basalt::http
