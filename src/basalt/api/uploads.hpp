// Uploads at the API edge (docs/files.md, "Uploads"): the upload plans of the routes that take
// files, and the hand-over of a decoded form's files to the record service.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "basalt/api/services.hpp"
#include "basalt/http/form_body.hpp"
#include "basalt/http/router.hpp"
#include "basalt/records/file_store.hpp"

namespace basalt::api {

// POST/PATCH of a record: PocketBase's body limit for the collection (32 MiB plus what its file,
// editor and JSON fields add); a file part keeps at most its field's maxSize (nothing for a
// part that names no file field: the record service refuses it). Nullopt for an unknown
// collection or a view (their requests fail before any file would be used).
std::optional<http::UploadPlan> record_upload_plan(const Services& services,
                                                   const http::RouteParams& params);

// POST /api/batch: the batch settings' body limit; a file part keeps up to that.
std::optional<http::UploadPlan> batch_upload_plan(const Services& services);

// POST /api/backups/upload: the body and its `file` part up to max-backup-upload-bytes (the
// route's own limit, not capped by max-upload-body-bytes); other file parts keep nothing. The
// plan admits only a superuser's Authorization: another caller's body is never spooled.
std::optional<http::UploadPlan> backup_upload_plan(const Services& services);

// The record service's form of an uploaded file. A file decoded in memory (a body that was not
// spooled) is written to a temporary file in `spool_dir` first.
records::Upload to_upload(http::UploadedFile file, std::string part,
                          const std::filesystem::path& spool_dir);

}  // namespace basalt::api
