#include "basalt/scripting/script_middleware.hpp"

#include <spdlog/spdlog.h>

#include "basalt/api/client_address.hpp"
#include "basalt/api/query_params.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/scripting/header_checks.hpp"

namespace basalt::scripting {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxHeaders = 32;

// {headers = {...}} from a middleware function: added to the response. Anything else but nil
// is a script error (a logged 500), so a typo is not silently ignored.
void apply_answer(const json::value& answer, const std::string& origin, http::Response& response) {
  if (answer.is_null()) return;
  const json::object* shape = answer.if_object();
  const json::value* headers = shape ? shape->if_contains("headers") : nullptr;
  const bool valid =
      shape && shape->size() == (headers ? 1u : 0u) &&
      (!headers || (headers->is_object() && headers->get_object().size() <= kMaxHeaders));
  if (!valid) {
    spdlog::error("hooks: middleware {} answered something else than nil or {{headers = {{...}}}}",
                  origin);
    throw core::ApiError(500);
  }
  if (!headers) return;
  for (const auto& entry : headers->get_object()) {
    if (!is_header_name(entry.key()) || !entry.value().is_string() ||
        !is_header_value(entry.value().get_string())) {
      spdlog::error("hooks: middleware {} set a header name or value that is not allowed", origin);
      throw core::ApiError(500);
    }
    response.add_header(entry.key(), entry.value().get_string());
  }
}

}  // namespace

bool ScriptMiddleware::wants(http::Method method, std::string_view path) const noexcept {
  return engine_.wants_middleware(method, path);
}

boost::asio::awaitable<void> ScriptMiddleware::before(http::Request& request,
                                                      http::Response& response) const {
  const std::shared_ptr<const Generation> generation = engine_.current();
  if (!generation) co_return;
  const std::shared_ptr<const settings::AppSettings> settings = services_.settings.current();
  request.set_client_ip(api::resolve_client_ip(settings->trusted_proxy, request));
  const std::string ip(api::client_ip(request));
  json::object query;
  for (const auto& [name, value] : api::query_params(request)) query[name] = value;
  json::object headers;
  request.for_each_header([&headers](std::string_view name, std::string_view value) {
    std::string key(name);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!headers.contains(key)) headers[key] = value;
  });
  const json::object argument{{"method", http::method_name(request.method())},
                              {"path", request.path()},
                              {"query", std::move(query)},
                              {"headers", std::move(headers)},
                              {"ip", ip}};
  records::Caller guest;
  guest.client_address = ip;
  for (const MiddlewareRegistration& middleware : generation->registrations.middleware) {
    if (!middleware.matches(request.method(), request.path())) continue;
    json::value call_argument = argument;
    const std::string what = "middleware " + middleware.origin;
    CallOutput output = co_await engine_.call(generation, middleware.function,
                                              std::move(call_argument), guest, what);
    apply_answer(output.result, middleware.origin, response);
  }
}

}  // namespace basalt::scripting
