#include "basalt/api/uploads.hpp"

#include "basalt/auth/authenticator.hpp"
#include "basalt/backups/backup_service.hpp"
#include "basalt/records/upload_staging.hpp"
#include "basalt/schema/file_limits.hpp"

namespace basalt::api {
namespace {

std::string_view param(const http::RouteParams& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

std::optional<http::UploadPlan> record_upload_plan(const Services& services,
                                                   const http::RouteParams& params) {
  auto catalog = services.collections.catalog();
  const schema::Collection* collection = catalog->find(param(params, "collection"));
  if (!collection || collection->is_view()) return std::nullopt;
  http::UploadPlan plan;
  plan.max_body_bytes = schema::record_body_limit(*collection);
  plan.spool_dir = services.upload_spool_dir;
  // The plan outlives this call (the body is read after it): it keeps the catalog snapshot.
  plan.max_file_bytes = [catalog, collection](std::string_view part) -> std::uint64_t {
    const std::string_view name = records::body_field_name(part);
    const schema::Field* field = collection->field_by_name(name);
    if (!field || field->type() != schema::FieldType::kFile) return 0;
    return static_cast<std::uint64_t>(
        schema::file_max_size(std::get<schema::FileOptions>(field->options)));
  };
  return plan;
}

std::optional<http::UploadPlan> batch_upload_plan(const Services& services) {
  const auto settings = services.settings.current();
  if (!settings->batch.enabled) return std::nullopt;
  http::UploadPlan plan;
  plan.max_body_bytes = static_cast<std::uint64_t>(settings->batch.effective_max_body_size());
  plan.spool_dir = services.upload_spool_dir;
  return plan;
}

std::optional<http::UploadPlan> backup_upload_plan(const Services& services) {
  http::UploadPlan plan;
  plan.max_body_bytes = services.backups.max_upload_bytes();
  plan.own_limit = true;
  plan.spool_dir = services.upload_spool_dir;
  plan.max_file_bytes = [limit = plan.max_body_bytes](std::string_view part) -> std::uint64_t {
    return part == "file" ? limit : 0;
  };
  // Only a superuser's body is spooled: anyone else's is read like any body (max-body-bytes)
  // and refused by the route's access check, never written to disk.
  plan.admit = [&services](std::string authorization) -> boost::asio::awaitable<bool> {
    if (authorization.empty()) co_return false;
    const auto now = services.clock.now();
    const auth::AuthContext caller =
        co_await services.authenticator.authenticate(authorization, now);
    co_return caller.is_superuser();
  };
  return plan;
}

records::Upload to_upload(http::UploadedFile file, std::string part,
                          const std::filesystem::path& spool_dir) {
  records::Upload upload;
  upload.part = std::move(part);
  upload.filename = std::move(file.filename);
  upload.size = file.size;
  upload.kept = file.kept;
  if (file.file) {
    upload.file = std::move(file.file);
  } else if (file.kept) {
    upload.file = core::TempFile::create(spool_dir, "upload");
    upload.file.write(file.data);
    upload.file.close();
    upload.size = file.data.size();
  }
  return upload;
}

}  // namespace basalt::api
