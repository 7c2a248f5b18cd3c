#include "basalt/api/settings_handlers.hpp"

#include <boost/json/object.hpp>
#include <cctype>
#include <chrono>
#include <string>

#include "basalt/api/request_body.hpp"
#include "basalt/api/s3_settings.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/files/s3_storage.hpp"
#include "basalt/settings/settings_json.hpp"

namespace basalt::api {
namespace {

void settings_response(http::Response& response, const settings::AppSettings& current) {
  response.json(200, settings::serialize_settings(current, settings::SettingsForm::kPublic));
}

constexpr std::string_view kS3TestFailed = "Failed to test the S3 filesystem.";

// The connection check answers a superuser waiting on the settings page: fewer and shorter
// tries than file operations, so an unreachable endpoint fails in seconds, not minutes.
files::S3Options s3_test_options() {
  files::S3Options options;
  options.retry.max_attempts = 2;
  options.timeouts.connect = std::chrono::seconds(5);
  options.timeouts.total = std::chrono::seconds(15);
  return options;
}

// PocketBase ends every error message as a sentence (a '.' unless it ends with . ? or !).
std::string sentence(std::string message) {
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
    message.pop_back();
  }
  if (!message.empty() && message.back() != '.' && message.back() != '?' && message.back() != '!') {
    message.push_back('.');
  }
  return message;
}

// `filesystem` of the body: PocketBase binds it as a string (any other JSON type fails the
// binding), then requires it to be "storage" or "backups".
std::string s3_test_filesystem(const RequestBody& body) {
  const boost::json::value* value = body.data.if_contains("filesystem");
  std::string filesystem;
  if (value && value->is_string()) {
    filesystem = value->get_string();
  } else if (value && !value->is_null()) {
    if (!body.form_encoded) {
      throw core::ApiError::bad_request("An error occurred while loading the submitted data.");
    }
    filesystem = string_member(body, "filesystem");  // a form value inferred as number or bool
  }
  boost::json::object error;
  if (filesystem.empty()) {
    error = {{"code", "validation_required"}, {"message", "Cannot be blank."}};
  } else if (filesystem != "storage" && filesystem != "backups") {
    error = {{"code", "validation_in_invalid"}, {"message", "Must be a valid value."}};
  }
  if (!error.empty()) {
    boost::json::object data;
    data["filesystem"] = std::move(error);
    throw core::ApiError::bad_request(std::string(kS3TestFailed), std::move(data));
  }
  return filesystem;
}

}  // namespace

boost::asio::awaitable<void> get_settings(const Services& services, const auth::AuthContext&,
                                          http::Request&, http::Response& response) {
  settings_response(response, *services.settings.current());
  co_return;
}

boost::asio::awaitable<void> patch_settings(const Services& services, const auth::AuthContext&,
                                            http::Request& request, http::Response& response) {
  // A named local: the service reads it until the write job is done.
  const boost::json::object body = request_body(request).data;
  auto stored = co_await services.settings.patch(body);
  settings_response(response, *stored);
}

boost::asio::awaitable<void> test_s3_settings(const Services& services, const auth::AuthContext&,
                                              http::Request& request, http::Response& response) {
  const std::string filesystem = s3_test_filesystem(request_body(request));
  const std::shared_ptr<const settings::AppSettings> current = services.settings.current();
  const settings::S3Settings& s3 = filesystem == "backups" ? current->backups.s3 : current->s3;
  const std::string raw_error = std::string(kS3TestFailed) + " Raw error: \n";
  if (!s3.enabled) {
    throw core::ApiError::bad_request(sentence(raw_error + "S3 storage filesystem is not enabled"));
  }
  // Network I/O: on the blocking pool, never on this worker. The task only refers to this
  // frame's locals, which outlive the co_await; named first (GCC 12 co_await temporaries).
  const files::S3Config config = s3_config(s3);
  const files::S3Options options = s3_test_options();
  auto check = [&] { return files::test_s3_connection(config, options); };
  const std::string failure = co_await services.blocking.run(check);
  if (!failure.empty()) throw core::ApiError::bad_request(sentence(raw_error + failure));
  response.content(204, {}, {});
}

}  // namespace basalt::api
