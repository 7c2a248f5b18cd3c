#include "basalt/api/backup_handlers.hpp"

#include "basalt/auth/file_tokens.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/api/query_params.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/files/byte_range.hpp"
#include "basalt/files/conditional.hpp"
#include "basalt/http/form_body.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

// A remote archive's body is read from the store this much at a time at most.
constexpr std::uint64_t kDownloadChunk = 1024 * 1024;

void no_content(http::Response& response) {
  response.content(204, "", "");
}

}  // namespace

boost::asio::awaitable<void> list_backups(const Services& services, const auth::AuthContext&,
                                          http::Request&, http::Response& response) {
  const std::vector<backups::BackupInfo> items = co_await services.backups.list();
  json::array out;
  out.reserve(items.size());
  for (const auto& item : items) {
    out.push_back(json::object{{"key", item.key},
                               {"modified", schema::format_datetime(item.modified)},
                               {"size", item.size}});
  }
  response.json(200, json::serialize(out));
}

boost::asio::awaitable<void> create_backup(const Services& services, const auth::AuthContext&,
                                           http::Request& request, http::Response& response) {
  // A named local, not a temporary of the co_await expression (GCC 12).
  const std::string name = string_member(request_body(request), "name");
  co_await services.backups.create(name);
  no_content(response);
}

boost::asio::awaitable<void> upload_backup(const Services& services, const auth::AuthContext&,
                                           http::Request& request, http::Response& response) {
  // A multipart body was spooled while it arrived (backup_upload_plan): the archive is a
  // temporary file, never in memory.
  http::FormBody body = request_form(request);
  http::UploadedFile* file = nullptr;
  for (auto& candidate : body.files) {
    if (candidate.field == "file") {
      file = &candidate;
      break;
    }
  }
  if (file == nullptr || !file->kept) {
    throw core::ApiError::bad_request(
        "An error occurred while validating the submitted data.",
        json::object{{"file", json::object{{"code", "validation_required"},
                                           {"message", "Cannot be blank."}}}});
  }
  if (!file->file) {  // a body that was not spooled (not multipart): bounded by max-body-bytes
    file->file = core::TempFile::create(services.upload_spool_dir, "backup");
    file->file.write(file->data);
    file->data.clear();
  }
  file->file.close();
  backups::UploadedBackup upload{std::move(file->filename), file->file};
  co_await services.backups.upload(upload);
  no_content(response);
}

boost::asio::awaitable<void> download_backup(const Services& services, const auth::AuthContext&,
                                             http::Request& request, http::Response& response) {
  const QueryParams params = query_params(request);
  const std::string token = param_or(params, "token");
  const auto now = services.clock.now();
  const auth::AuthContext holder =
      co_await auth::file_token_viewer(services.database, services.collections, token, now);
  if (!holder.is_superuser()) {
    throw core::ApiError::forbidden("Insufficient permissions to access the resource.");
  }
  const std::string key(request.param("key"));
  std::optional<backups::OpenedBackup> opened = co_await services.backups.open(key);
  if (!opened) throw core::ApiError::not_found();
  http::UniqueFd fd(opened->fd);  // owned from here on, whatever happens next
  // A valid key is [a-z0-9_-]+.zip, maybe after an @ (backup_names.hpp): safe in the header.
  response.add_header("Content-Disposition", "attachment; filename=" + key);
  response.add_header("Accept-Ranges", "bytes");
  response.add_header("Last-Modified", files::format_http_date(opened->info.modified));
  const std::uint64_t size = opened->info.size;
  const files::RangeDecision range =
      files::decide_range(request.header("Range").value_or(std::string_view()), size);
  http::FileBody body;
  switch (range.outcome) {
    case files::RangeOutcome::kUnsatisfiable: {
      const core::ApiError error(416, "The requested range is not satisfiable.");
      response.json(416, error.to_json());
      response.add_header("Content-Range", "bytes */" + std::to_string(size));
      co_return;
    }
    case files::RangeOutcome::kPartial:
      body.offset = range.range.offset;
      body.length = range.range.length;
      response.add_header("Content-Range", "bytes " + std::to_string(body.offset) + "-" +
                                               std::to_string(body.offset + body.length - 1) + "/" +
                                               std::to_string(size));
      break;
    case files::RangeOutcome::kWhole:
      body.length = size;
      break;
  }
  if (fd) {
    body.file = std::move(fd);  // sendfile(2) from the page cache
  } else {
    // A remote archive streams in chunks, each read when the previous one is written, from
    // the store it was found in whatever the settings do meanwhile. read() copies its
    // arguments into its own frame.
    backups::BackupService* service = &services.backups;
    body.read = [service, store = opened->store, key](std::uint64_t at, std::size_t max) {
      const std::uint64_t length = std::min<std::uint64_t>(max, kDownloadChunk);
      return service->read(store, key, at, length);
    };
  }
  response.file(range.outcome == files::RangeOutcome::kPartial ? 206 : 200, "application/zip",
                std::move(body));
}

boost::asio::awaitable<void> delete_backup(const Services& services, const auth::AuthContext&,
                                           http::Request& request, http::Response& response) {
  const std::string key(request.param("key"));
  co_await services.backups.remove(key);
  no_content(response);
}

boost::asio::awaitable<void> restore_backup(const Services& services, const auth::AuthContext&,
                                            http::Request& request, http::Response& response) {
  const std::string key(request.param("key"));
  co_await services.backups.restore(key);
  no_content(response);
}

}  // namespace basalt::api
