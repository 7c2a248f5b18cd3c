#include "basalt/api/backup_handlers.hpp"

#include "basalt/auth/file_tokens.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <limits>

#include "basalt/api/query_params.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/http/form_body.hpp"
#include "basalt/schema/datetime.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

// A download is read from the backups store and written to the client a chunk at a time; a
// client that takes longer than the timeout for one chunk is cut off (stream.hpp: a stream
// bounds itself).
constexpr std::uint64_t kDownloadChunk = 256 * 1024;
constexpr std::chrono::seconds kChunkWriteTimeout{60};

void no_content(http::Response& response) {
  response.content(204, "", "");
}

// Writes `chunk` to the socket; false when the client is gone or too slow.
boost::asio::awaitable<bool> write_chunk(boost::asio::ip::tcp::socket& socket,
                                         const std::string& chunk) {
  boost::asio::steady_timer deadline(socket.get_executor());
  deadline.expires_after(kChunkWriteTimeout);
  deadline.async_wait([&socket](boost::system::error_code error) {
    if (error) return;  // cancelled: the write finished first
    boost::system::error_code ignored;
    socket.close(ignored);  // fails the write in progress
  });
  const auto buffer = boost::asio::buffer(chunk);
  auto [error, written] = co_await boost::asio::async_write(
      socket, buffer, boost::asio::as_tuple(boost::asio::use_awaitable));
  deadline.cancel();
  co_return !error && written == chunk.size();
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
  // The body is already bounded by max-body-bytes; one archive may take all of it.
  http::FormLimits limits;
  limits.multipart.max_file_bytes = std::numeric_limits<std::size_t>::max();
  http::FormBody body =
      http::decode_form_body(request.header("Content-Type").value_or(""), request.body(), limits);
  const http::UploadedFile* file = nullptr;
  for (const auto& candidate : body.files) {
    if (candidate.field == "file") {
      file = &candidate;
      break;
    }
  }
  if (file == nullptr) {
    throw core::ApiError::bad_request(
        "An error occurred while validating the submitted data.",
        json::object{{"file", json::object{{"code", "validation_required"},
                                           {"message", "Cannot be blank."}}}});
  }
  const std::string& filename = file->filename;
  const std::string& content = file->data;
  co_await services.backups.upload(filename, content);
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
  const std::optional<files::ObjectInfo> info = co_await services.backups.stat(key);
  if (!info) throw core::ApiError::not_found();
  // A valid key is [a-z0-9_-]+.zip, maybe after an @ (backup_names.hpp): safe in the header.
  response.add_header("Content-Disposition", "attachment; filename=" + key);
  response.add_header("Content-Length", std::to_string(info->size));
  backups::BackupService& service = services.backups;
  const std::uint64_t size = info->size;
  response.stream(
      200, "application/zip",
      [&service, key, size](boost::asio::ip::tcp::socket& socket) -> boost::asio::awaitable<void> {
        const std::string object = key;  // owned by the coroutine's frame
        for (std::uint64_t offset = 0; offset < size;) {
          std::string chunk;
          try {
            chunk = co_await service.read(object, offset, kDownloadChunk);
          } catch (const std::exception&) {
            co_return;  // deleted meanwhile, or the server stops: the body ends short
          }
          if (chunk.empty()) co_return;
          if (!co_await write_chunk(socket, chunk)) co_return;
          offset += chunk.size();
        }
      });
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
