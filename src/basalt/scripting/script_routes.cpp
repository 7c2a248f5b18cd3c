#include "basalt/scripting/script_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>

#include "basalt/api/api_handler.hpp"
#include "basalt/api/client_address.hpp"
#include "basalt/api/query_params.hpp"
#include "basalt/api/rate_limit_check.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/api/routes.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/scripting/header_checks.hpp"
#include "basalt/scripting/hook_runner.hpp"

namespace basalt::scripting {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxResponseHeaders = 32;

api::Access access_of(RouteAuth auth) {
  switch (auth) {
    case RouteAuth::kGuest:
      return api::Access::kAny;
    case RouteAuth::kUser:
      return api::Access::kAnyAuthRecord;
    case RouteAuth::kSuperuser:
      return api::Access::kSuperuser;
  }
  return api::Access::kSuperuser;
}

// The `{name}` segments of a route template, in order.
std::vector<std::string> param_names(std::string_view path) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while ((start = path.find('{', start)) != std::string_view::npos) {
    const std::size_t end = path.find('}', start);
    if (end == std::string_view::npos) break;
    names.emplace_back(path.substr(start + 1, end - start - 1));
    start = end + 1;
  }
  return names;
}

[[noreturn]] void bad_answer(std::string_view what) {
  spdlog::error("hooks: custom route answered badly: {}", what);
  throw core::ApiError(500);
}

// The function's answer as the response: nil is 204; a table with any of status, json,
// text, headers is that response; any other value is a 200 with it as JSON.
void write_answer(const json::value& answer, http::Response& response) {
  if (answer.is_null()) {
    response.content(204, "text/plain; charset=utf-8", "");
    return;
  }
  const json::object* shape = answer.if_object();
  const bool shaped = shape && (shape->contains("status") || shape->contains("json") ||
                                shape->contains("text") || shape->contains("headers"));
  if (!shaped) {
    response.json(200, json::serialize(answer));
    return;
  }
  int status = 200;
  if (const json::value* value = shape->if_contains("status")) {
    if (!value->is_int64() || value->get_int64() < 200 || value->get_int64() > 599) {
      bad_answer("status must be a number from 200 to 599");
    }
    status = static_cast<int>(value->get_int64());
  }
  if (const json::value* text = shape->if_contains("text")) {
    if (!text->is_string()) bad_answer("text must be a string");
    std::string type = "text/plain; charset=utf-8";
    if (const json::value* value = shape->if_contains("contentType")) {
      if (!value->is_string() || !is_header_value(value->get_string())) bad_answer("contentType");
      type = std::string(value->get_string());
    }
    response.content(status, type, text->get_string());
  } else if (const json::value* body = shape->if_contains("json")) {
    response.json(status, json::serialize(*body));
  } else {
    response.content(status, "text/plain; charset=utf-8", "");
  }
  if (const json::value* headers = shape->if_contains("headers")) {
    if (!headers->is_object() || headers->get_object().size() > kMaxResponseHeaders) {
      bad_answer("headers must be a table of at most 32 names");
    }
    for (const auto& entry : headers->get_object()) {
      if (!is_header_name(entry.key()) || !entry.value().is_string() ||
          !is_header_value(entry.value().get_string())) {
        bad_answer("a header name or value is not allowed");
      }
      response.add_header(entry.key(), entry.value().get_string());
    }
  }
}

}  // namespace

ScriptRoutes::ScriptRoutes(ScriptEngine& engine, const http::Router& builtin,
                           const api::Services& services)
    : engine_(engine), builtin_(builtin), services_(services) {}

std::shared_ptr<const http::Handler> ScriptRoutes::match(http::Method method, std::string_view path,
                                                         http::RouteParams& params,
                                                         std::string& allow) const {
  std::shared_ptr<const Generation> generation = engine_.current();
  if (!generation || !generation->routes) return nullptr;
  http::RouteMatch found = generation->routes->match(method, path);
  if (!found.handler) {
    if (found.path_known) allow = std::move(found.allow);
    return nullptr;
  }
  params = std::move(found.params);
  // Shares the generation's ownership: the handler lives as long as the pointer.
  return std::shared_ptr<const http::Handler>(generation, found.handler);
}

std::shared_ptr<const http::Router> ScriptRoutes::build(const Generation& generation) const {
  std::vector<http::Route> table;
  const std::vector<RouteRegistration>& routes = generation.registrations.routes;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const RouteRegistration& route = routes[i];
    const http::RouteMatch builtin = builtin_.match(route.method, route.path);
    if (builtin.handler || builtin.path_known) {
      throw std::invalid_argument(route.origin + ": route " +
                                  std::string(http::method_name(route.method)) + " " + route.path +
                                  " clashes with a built-in route");
    }
    const Generation* owner = &generation;  // kept alive by match()'s shared pointer
    table.push_back({route.method, route.path,
                     [this, owner, i](http::Request& request, http::Response& response) {
                       return serve(*owner, i, request, response);
                     }});
  }
  try {
    return std::make_shared<const http::Router>(std::move(table));
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(std::string("custom routes: ") + error.what());
  }
}

boost::asio::awaitable<void> ScriptRoutes::serve(const Generation& generation, std::size_t index,
                                                 http::Request& request,
                                                 http::Response& response) const {
  const RouteRegistration& route = generation.registrations.routes[index];
  // The checks of every API route (client address, caller, superuserIPs, rateLimits by the
  // route's path pattern, access).
  const std::vector<std::string> tags = api::rate_limit_tags(route.method, route.path);
  const auth::AuthContext auth =
      co_await api::guard_request(services_, access_of(route.auth), route.path, tags, request);
  const records::Caller caller = api::caller_of(auth, request);

  json::object params;
  for (const std::string& name : param_names(route.path)) params[name] = request.param(name);
  json::object query;
  for (const auto& [name, value] : api::query_params(request)) query[name] = value;
  json::object headers;
  request.for_each_header([&headers](std::string_view name, std::string_view value) {
    std::string key(name);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!headers.contains(key)) headers[key] = value;
  });
  json::value body = json::object();
  if (!request.body().empty()) body = api::request_body(request).data;
  json::object argument{{"method", http::method_name(request.method())},
                        {"path", request.path()},
                        {"params", std::move(params)},
                        {"query", std::move(query)},
                        {"headers", std::move(headers)},
                        {"body", std::move(body)},
                        {"auth", auth_value(caller)}};
  std::shared_ptr<const Generation> keep = generation.shared_from_this();
  const std::string what =
      "route " + std::string(http::method_name(route.method)) + " " + route.path;
  CallOutput output =
      co_await engine_.call(keep, route.function, std::move(argument), caller, what);
  write_answer(output.result, response);
}

}  // namespace basalt::scripting
