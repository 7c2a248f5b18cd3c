#include "basalt/api/file_handlers.hpp"

#include <boost/json/serialize.hpp>
#include <optional>
#include <string>

#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/auth/file_tokens.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/files/byte_range.hpp"
#include "basalt/files/conditional.hpp"
#include "basalt/files/keys.hpp"
#include "basalt/files/serve_headers.hpp"
#include "basalt/files/thumb_size.hpp"
#include "basalt/files/thumbnailer.hpp"

namespace basalt::api {
namespace {

std::string_view header_or_empty(const http::Request& request, std::string_view name) {
  return request.header(name).value_or(std::string_view());
}

// The object to serve, the name it is served under and the backend it comes from.
struct Served {
  std::shared_ptr<files::Storage> backend;
  files::OpenedObject object;
  std::string key;
  std::string name;
};

// The thumbnail of `original` asked for by `thumb`, made if needed; nullopt when the original
// is served instead (a size the field does not allow, not an image, a failed generation).
boost::asio::awaitable<std::optional<Served>> thumbnail(const Services& services,
                                                        const records::FileAccess& access,
                                                        const Served& original,
                                                        const std::string& thumb,
                                                        const std::string& filename) {
  const auto& options = std::get<schema::FileOptions>(access.field->options);
  std::vector<std::string_view> allowed;
  for (const std::string& size : schema::items(options.thumbs)) allowed.push_back(size);
  const std::optional<files::ThumbSize> size = files::parse_thumb_size(thumb);
  if (!size || !files::is_allowed_thumb_size(thumb, allowed) ||
      !files::is_thumbnail_source_type(original.object.content_type)) {
    co_return std::nullopt;
  }
  Served served;
  served.backend = original.backend;
  served.name = thumb + "_" + filename;
  served.key =
      files::thumb_key(access.files_collection_id, access.files_record_id, filename, thumb);
  std::optional<files::OpenedObject> existing =
      co_await services.files.open(served.backend, served.key);
  if (!existing) {
    const bool made = co_await services.files.ensure_thumbnail(
        served.backend, original.key, served.key, *size, original.object.content_type);
    if (made) existing = co_await services.files.open(served.backend, served.key);
  }
  if (!existing) co_return std::nullopt;
  served.object = std::move(*existing);
  co_return std::optional<Served>(std::move(served));
}

void set_file_headers(http::Response& response, const Served& served, bool download) {
  response.add_header("Content-Disposition", files::content_disposition(served.object.content_type,
                                                                        served.name, download));
  response.add_header("Content-Security-Policy", files::kFileContentSecurityPolicy);
  response.add_header("Cache-Control", files::kFileCacheControl);
  response.add_header("Accept-Ranges", "bytes");
  response.add_header("Last-Modified", files::format_http_date(served.object.info.modified));
  if (!served.object.info.etag.empty()) response.add_header("ETag", served.object.info.etag);
}

http::FileBody body_of(const Services& services, Served& served, std::uint64_t offset,
                       std::uint64_t length) {
  http::FileBody body;
  body.offset = offset;
  body.length = length;
  if (served.object.fd() >= 0) {
    body.file = http::UniqueFd(served.object.release());
  } else {
    files::FileService* files = &services.files;
    // The chunks come from the backend the object was opened in, whatever happens meanwhile.
    body.read = [files, backend = served.backend, key = served.key](std::uint64_t at,
                                                                    std::size_t max) {
      return files->read(backend, key, at, max);
    };
  }
  return body;
}

}  // namespace

boost::asio::awaitable<void> download_file(const Services& services, const auth::AuthContext&,
                                           http::Request& request, http::Response& response) {
  const std::string collection(request.param("collection"));
  const std::string record_id(request.param("recordId"));
  const std::string filename(request.param("filename"));
  // A name that could leave its record's directory is never looked up (docs/files.md).
  std::shared_ptr<files::Storage> backend = services.files.backend();
  if (!backend || !files::is_plain_key_segment(record_id) ||
      !files::is_plain_key_segment(filename)) {
    throw core::ApiError::not_found();
  }
  const QueryParams params = query_params(request);

  // The viewer of a protected file is the record of its `?token=`, never the Authorization
  // header (PocketBase: a URL in an <img> carries no header).
  auth::AuthContext viewer;
  const std::string token = param_or(params, "token");
  if (!token.empty()) {
    viewer = co_await auth::file_token_viewer(services.database, services.collections, token,
                                              services.clock.now());
  }
  const records::Caller caller = caller_of(viewer, request);
  query::RequestInfo info = request_info(request, params);
  const records::FileAccess access = co_await services.records.file_access(
      caller, collection, record_id, filename, std::move(info));

  Served served;
  served.backend = std::move(backend);
  served.key = files::file_key(access.files_collection_id, access.files_record_id, filename);
  served.name = filename;
  std::optional<files::OpenedObject> original =
      co_await services.files.open(served.backend, served.key);
  if (!original) throw core::ApiError::not_found();
  served.object = std::move(*original);

  const std::string thumb = param_or(params, "thumb");
  if (!thumb.empty()) {
    std::optional<Served> made = co_await thumbnail(services, access, served, thumb, filename);
    if (made) served = std::move(*made);
  }

  set_file_headers(response, served, bool_param(params, "download"));
  const std::string_view content_type =
      files::served_content_type(served.key, served.object.content_type);
  const files::ConditionalHeaders conditions{
      header_or_empty(request, "If-Match"), header_or_empty(request, "If-Unmodified-Since"),
      header_or_empty(request, "If-None-Match"), header_or_empty(request, "If-Modified-Since"),
      header_or_empty(request, "If-Range")};
  const files::ConditionalDecision decision =
      files::check_conditions(conditions, {served.object.info.etag, served.object.info.modified});
  const std::uint64_t size = served.object.info.size;
  switch (decision.outcome) {
    case files::Precondition::kNotModified:
      response.content(304, {}, {});
      co_return;
    case files::Precondition::kFailed:
      throw core::ApiError(412);
    case files::Precondition::kServe:
      break;
  }
  const files::RangeDecision range = files::decide_range(
      decision.range_applies ? header_or_empty(request, "Range") : std::string_view(), size);
  switch (range.outcome) {
    case files::RangeOutcome::kUnsatisfiable: {
      // The error JSON with the size the client may ask within; the file headers stay.
      const core::ApiError error(416, "The requested range is not satisfiable.");
      response.json(416, error.to_json());
      response.add_header("Content-Range", "bytes */" + std::to_string(size));
      co_return;
    }
    case files::RangeOutcome::kPartial: {
      const files::ByteRange part = range.range;
      response.add_header("Content-Range", "bytes " + std::to_string(part.offset) + "-" +
                                               std::to_string(part.offset + part.length - 1) + "/" +
                                               std::to_string(size));
      response.file(206, content_type, body_of(services, served, part.offset, part.length));
      co_return;
    }
    case files::RangeOutcome::kWhole:
      response.file(200, content_type, body_of(services, served, 0, size));
      co_return;
  }
}

boost::asio::awaitable<void> file_token(const Services& services, const auth::AuthContext& auth,
                                        http::Request&, http::Response& response) {
  const std::string token =
      auth::issue_file_token(*auth.collection, *auth.record, services.clock.now());
  boost::json::object body;
  body["token"] = token;
  response.json(200, boost::json::serialize(body));
  co_return;
}

}  // namespace basalt::api
