#include "basalt/api/settings_handlers.hpp"

#include <boost/json/object.hpp>

#include "basalt/api/request_body.hpp"
#include "basalt/settings/settings_json.hpp"

namespace basalt::api {
namespace {

void settings_response(http::Response& response, const settings::AppSettings& current) {
  response.json(200, settings::serialize_settings(current, settings::SettingsForm::kPublic));
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

}  // namespace basalt::api
