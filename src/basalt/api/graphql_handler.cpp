#include "basalt/api/graphql_handler.hpp"

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "basalt/api/graphql_upload_request.hpp"
#include "basalt/api/graphql_ws_session.hpp"
#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/graphql/graphql_service.hpp"
#include "basalt/graphql/request_uploads.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

constexpr std::string_view kGraphqlResponse = "application/graphql-response+json";
constexpr std::string_view kJson = "application/json";

enum class MediaType { kGraphqlResponse, kJson, kNone };

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The first media range of Accept we can answer (q=0 ranges skipped); JSON when there is none.
MediaType negotiate(const http::Request& request) {
  const std::optional<std::string_view> accept = request.header("Accept");
  if (!accept || trim(*accept).empty()) return MediaType::kJson;
  const std::string header = lower(*accept);
  std::string_view rest = header;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    std::string_view range = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const std::size_t semicolon = range.find(';');
    const std::string_view type = trim(range.substr(0, semicolon));
    if (semicolon != std::string_view::npos) {
      const std::string_view params = range.substr(semicolon);
      if (params.find("q=0") != std::string_view::npos &&
          params.find("q=0.") == std::string_view::npos) {
        continue;
      }
    }
    if (type == kGraphqlResponse) return MediaType::kGraphqlResponse;
    if (type == kJson || type == "application/*" || type == "*/*") return MediaType::kJson;
  }
  return MediaType::kNone;
}

void answer(http::Response& response, MediaType type, int status, std::string_view body) {
  response.content(status,
                   type == MediaType::kGraphqlResponse
                       ? "application/graphql-response+json; charset=utf-8"
                       : "application/json; charset=utf-8",
                   body);
}

// A request that cannot run (the HTTP part is wrong): 4xx in either media type.
void refuse(http::Response& response, MediaType type, int status, std::string_view message) {
  json::object error{{"message", message}, {"extensions", json::object{{"code", "bad-request"}}}};
  json::object body{{"errors", json::array{std::move(error)}}};
  answer(response, type == MediaType::kNone ? MediaType::kJson : type, status,
         json::serialize(body));
}

// The parameters of a request, checked for their JSON types.
struct Parameters {
  std::string query;
  std::optional<json::object> variables;
  std::string operation_name;
};

// Fills `out` from a parsed body or query string; the message of the 400 otherwise.
std::optional<std::string> read_parameters(const json::object& given, Parameters& out) {
  const json::value* query = given.if_contains("query");
  if (query == nullptr || !query->is_string()) {
    return std::string("The request needs a \"query\" string.");
  }
  out.query = query->get_string();
  if (const json::value* variables = given.if_contains("variables");
      variables && !variables->is_null()) {
    if (!variables->is_object()) return std::string("\"variables\" must be an object or null.");
    out.variables = variables->get_object();
  }
  if (const json::value* name = given.if_contains("operationName"); name && !name->is_null()) {
    if (!name->is_string()) return std::string("\"operationName\" must be a string or null.");
    out.operation_name = name->get_string();
  }
  if (const json::value* extensions = given.if_contains("extensions");
      extensions && !extensions->is_null() && !extensions->is_object()) {
    return std::string("\"extensions\" must be an object or null.");
  }
  return std::nullopt;
}

boost::asio::awaitable<void> run(const Services& services, const auth::AuthContext& auth,
                                 const http::Request& request, http::Response& response,
                                 MediaType type, const Parameters& parameters, bool over_get,
                                 graphql::RequestPolicy policy,
                                 graphql::RequestUploads* uploads = nullptr) {
  const records::Caller caller = caller_of(auth, request);
  graphql::GraphqlRequest graphql_request;
  graphql_request.document = parameters.query;
  graphql_request.variables = parameters.variables ? &*parameters.variables : nullptr;
  graphql_request.operation_name = parameters.operation_name;
  graphql_request.over_get = over_get;
  graphql_request.uploads = uploads;
  const QueryParams params = query_params(request);
  query::RequestInfo info = request_info(request, params);
  graphql::GraphqlAnswer result =
      co_await services.graphql.execute(caller, graphql_request, std::move(info), policy);
  switch (result.kind) {
    case graphql::GraphqlAnswer::Kind::kExecuted:
      answer(response, type, 200, result.body);
      break;
    case graphql::GraphqlAnswer::Kind::kRequestError:
      answer(response, type, type == MediaType::kGraphqlResponse ? 400 : 200, result.body);
      break;
    case graphql::GraphqlAnswer::Kind::kMethodNotAllowed:
      answer(response, type, 405, result.body);
      response.add_header("Allow", "POST");
      break;
  }
}

}  // namespace

graphql::RequestPolicy graphql_request_policy(const Services& services) {
  const auto settings = services.settings.current();
  const settings::GraphqlSettings& g = settings->graphql;
  graphql::RequestPolicy policy;
  policy.limits.max_document_bytes = static_cast<std::size_t>(g.max_document_bytes);
  policy.limits.max_depth = static_cast<std::uint32_t>(g.max_depth);
  policy.limits.max_fields = static_cast<std::size_t>(g.max_fields);
  policy.limits.max_aliases = static_cast<std::size_t>(g.max_aliases);
  policy.max_list_limit = g.max_limit;
  policy.introspection_for_all = !g.superuser_only_introspection;
  policy.mutation_timeout = std::chrono::seconds(settings->batch.timeout);
  return policy;
}

std::uint64_t graphql_max_body_bytes(std::int64_t max_document_bytes) noexcept {
  return static_cast<std::uint64_t>(max_document_bytes) * 2 + (std::uint64_t{1} << 20);
}

boost::asio::awaitable<void> graphql_post(const Services& services, const auth::AuthContext& auth,
                                          http::Request& request, http::Response& response) {
  const MediaType type = negotiate(request);
  if (type == MediaType::kNone) {
    refuse(response, MediaType::kJson, 406,
           "The Accept header allows neither application/graphql-response+json nor "
           "application/json.");
    co_return;
  }
  const std::optional<std::string_view> content_type = request.header("Content-Type");
  const std::string media =
      content_type ? lower(trim(content_type->substr(0, content_type->find(';')))) : "";
  const graphql::RequestPolicy policy = graphql_request_policy(services);
  if (media == "multipart/form-data") {
    // The GraphQL multipart request convention (graphql_upload_request.hpp): files for a
    // mutation's file fields, the body bounded by the route's upload plan.
    json::object operation;
    graphql::RequestUploads uploads;
    if (auto problem = read_graphql_multipart(services, request, operation, uploads)) {
      refuse(response, type, 400, *problem);
      co_return;
    }
    Parameters parameters;
    if (auto problem = read_parameters(operation, parameters)) {
      refuse(response, type, 400, *problem);
      co_return;
    }
    graphql::RequestUploads* files = &uploads;
    co_await run(services, auth, request, response, type, parameters, false, policy, files);
    co_return;
  }
  if (media != kJson) {
    refuse(response, type, 415, "The body must be application/json or multipart/form-data.");
    co_return;
  }
  const std::string_view body = request.body();
  if (body.size() >
      graphql_max_body_bytes(static_cast<std::int64_t>(policy.limits.max_document_bytes))) {
    refuse(response, type, 413, "The request body is too large.");
    co_return;
  }
  if (trim(body).empty()) {
    refuse(response, type, 400, "The request has no body.");
    co_return;
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(body, ec);
  if (ec || !parsed.is_object()) {
    refuse(response, type, 400, "The body is not a JSON object.");
    co_return;
  }
  Parameters parameters;
  if (auto problem = read_parameters(parsed.get_object(), parameters)) {
    refuse(response, type, 400, *problem);
    co_return;
  }
  co_await run(services, auth, request, response, type, parameters, false, policy);
}

boost::asio::awaitable<void> graphql_get(const Services& services, const auth::AuthContext& auth,
                                         http::Request& request, http::Response& response) {
  // Subscriptions over WebSocket on the same path (graphql_ws_session.hpp).
  if (is_websocket_upgrade(request)) {
    graphql_ws_upgrade(services, auth, request, response);
    co_return;
  }
  const MediaType type = negotiate(request);
  if (type == MediaType::kNone) {
    refuse(response, MediaType::kJson, 406,
           "The Accept header allows neither application/graphql-response+json nor "
           "application/json.");
    co_return;
  }
  const graphql::RequestPolicy policy = graphql_request_policy(services);
  const QueryParams params = query_params(request);
  json::object given;
  for (const char* name : {"query", "operationName"}) {
    if (auto it = params.find(name); it != params.end()) given[name] = it->second;
  }
  for (const char* name : {"variables", "extensions"}) {
    auto it = params.find(name);
    if (it == params.end() || it->second.empty()) continue;
    boost::system::error_code ec;
    json::value parsed = json::parse(it->second, ec);
    if (ec) {
      refuse(response, type, 400, std::string("\"") + name + "\" is not JSON.");
      co_return;
    }
    given[name] = std::move(parsed);
  }
  Parameters parameters;
  if (auto problem = read_parameters(given, parameters)) {
    refuse(response, type, 400, *problem);
    co_return;
  }
  co_await run(services, auth, request, response, type, parameters, true, policy);
}

}  // namespace basalt::api
