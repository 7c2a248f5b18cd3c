#include "basalt/api/batch_handler.hpp"

#include <boost/json/parse.hpp>
#include <charconv>

#include "basalt/api/query_params.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/api/routes.hpp"
#include "basalt/api/uploads.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/http/form_body.hpp"
#include "basalt/http/json_fields.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/record_response_json.hpp"
#include "basalt/schema/go_json.hpp"
#include "basalt/schema/validation_errors.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;

[[noreturn]] void unsupported(std::size_t index) {
  json::object data;
  data["requests"] = json::object{
      {std::to_string(index),
       json::object{{"code", "batch_request_not_allowed"},
                    {"message", "Invalid or unsupported batch request method and url."}}}};
  throw core::ApiError::bad_request("Batch transaction failed.", std::move(data));
}

// The route of the previous sub-request: a batch of a thousand creates names one route a
// thousand times, resolved once.
struct LastRoute {
  std::string method;
  std::string path;
  std::optional<BatchTarget> target;

  const std::optional<BatchTarget>& resolve(std::string_view verb, std::string_view url_path) {
    if (!target || verb != method || url_path != path) {
      target = batch_routes().resolve(verb, url_path);
      method = verb;
      path = url_path;
    }
    return target;
  }
};

// One sub-request as the record service takes it; unsupported method/url pairs fail the batch.
// Its body is moved out of `item` (the rest stays).
records::BatchOperation operation_of(json::value& item, std::size_t index, LastRoute& routes) {
  if (!item.is_object()) unsupported(index);
  json::object& request = item.get_object();
  const json::value* method = request.if_contains("method");
  const json::value* url = request.if_contains("url");
  if (!method || !method->is_string() || !url || !url->is_string()) unsupported(index);
  std::string_view target = url->get_string();
  std::string_view query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    query = target.substr(q + 1);
    target = target.substr(0, q);
  }
  std::string_view verb = method->get_string();
  // Resolved by the route table's router: a route declared batchable there is accepted here.
  const std::optional<BatchTarget>& resolved = routes.resolve(verb, target);
  if (!resolved) unsupported(index);
  records::BatchOperation op;
  op.kind = resolved->kind;
  op.collection = resolved->collection;
  op.id = resolved->id;
  if (json::value* body = request.if_contains("body"); body && body->is_object()) {
    op.input.body = std::move(body->get_object());
  } else if (body && !body->is_null()) {
    unsupported(index);
  }
  const QueryParams params = parse_query(query);
  op.input.expand = param_or(params, "expand");
  op.request.context = "batch";
  op.request.method = std::string(verb);
  if (const json::value* headers = request.if_contains("headers");
      headers && headers->is_object()) {
    for (const auto& header : headers->get_object()) {
      std::string name = query::normalize_header_name(header.key());
      if (name == "authorization" || !header.value().is_string()) continue;
      op.request.headers[name] = header.value();
    }
  }
  for (const auto& [name, value] : params) op.request.query[name] = value;
  return op;
}

// The decoded `fields` parameter of a sub-request's URL ("" when none).
std::string fields_param(const json::value& item) {
  const json::value* url = item.get_object().if_contains("url");
  std::string_view target = url->get_string();
  const auto q = target.find('?');
  return q == std::string_view::npos ? std::string()
                                     : http::fields_query_param(target.substr(q + 1));
}

// The sub-request index a file part belongs to: "requests.3.avatar" / "requests[3].avatar".
std::optional<std::pair<std::size_t, std::string>> file_target(std::string_view field) {
  constexpr std::string_view kPrefix = "requests";
  if (!field.starts_with(kPrefix)) return std::nullopt;
  field.remove_prefix(kPrefix.size());
  const bool bracket = !field.empty() && field.front() == '[';
  if (field.empty() || (field.front() != '.' && !bracket)) return std::nullopt;
  field.remove_prefix(1);
  std::size_t index = 0;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), index);
  if (ec != std::errc() || end == field.data()) return std::nullopt;
  field.remove_prefix(static_cast<std::size_t>(end - field.data()));
  if (bracket) {
    if (field.empty() || field.front() != ']') return std::nullopt;
    field.remove_prefix(1);
  }
  if (field.size() < 2 || field.front() != '.') return std::nullopt;
  return std::pair{index, std::string(field.substr(1))};
}

}  // namespace

boost::asio::awaitable<void> batch_records(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response) {
  const auto settings = services.settings.current();
  const settings::BatchSettings& limits = settings->batch;
  if (!limits.enabled) throw core::ApiError::forbidden("Batch requests are not allowed.");
  if (static_cast<std::int64_t>(request.body().size()) > limits.effective_max_body_size()) {
    throw core::ApiError(413, "Request entity too large.");
  }
  http::FormBody form = request_form(request);
  json::value* requests = form.data.if_contains("requests");
  schema::ValidationErrors errors;
  if (!requests || !requests->is_array() || requests->get_array().empty()) {
    errors.add({"requests"}, schema::error_required());
  } else if (static_cast<std::int64_t>(requests->get_array().size()) > limits.max_requests) {
    errors.add({"requests"}, schema::error_length(0, limits.max_requests));
  }
  if (!errors.empty())
    throw errors.to_api_error("An error occurred while validating the submitted data.");

  json::array& items = requests->get_array();
  std::vector<records::BatchOperation> operations;
  std::vector<http::FieldsSpec> fields;
  operations.reserve(items.size());
  LastRoute routes;
  for (std::size_t i = 0; i < items.size(); ++i) {
    operations.push_back(operation_of(items[i], i, routes));
    fields.push_back(http::parse_fields(fields_param(items[i])));
  }
  // A file part reaches its sub-request under the field name after the index (PocketBase
  // ignores parts that name no sub-request; so does this, and their files are deleted).
  for (auto& file : form.files) {
    auto target = file_target(file.field);
    if (target && target->first < operations.size()) {
      operations[target->first].input.uploads.push_back(
          to_upload(std::move(file), std::move(target->second), services.upload_spool_dir));
    }
  }

  const records::Caller caller = caller_of(auth, request);
  std::vector<records::BatchOutcome> outcomes;
  std::optional<records::BatchError> failure;
  try {
    outcomes = co_await services.records.batch(caller, std::move(operations),
                                               std::chrono::seconds(limits.timeout));
  } catch (const records::BatchError& error) {
    failure = error;
  }
  if (failure) {
    json::object item{{"code", "batch_request_failed"},
                      {"message", "Batch request failed."},
                      {"response", json::parse(failure->error().to_json())}};
    json::object data;
    data["requests"] = json::object{{std::to_string(failure->index()), std::move(item)}};
    throw core::ApiError::bad_request("Batch transaction failed.", std::move(data));
  }
  // About what the records took in the request: a single allocation for most batches.
  std::string body;
  body.reserve(request.body().size() + 64 * outcomes.size());
  body += '[';
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (i) body += ',';
    body += "{\"body\":";
    if (outcomes[i].status == 204) {
      body += "null";
    } else if (fields[i].empty()) {
      records::write_record(body, outcomes[i].result.record, caller.is_superuser());
    } else {
      // A sub-request's own `fields` shapes its body, as the router would for a single write.
      std::string record;
      records::write_record(record, outcomes[i].result.record, caller.is_superuser());
      body += http::project_json(record, fields[i], false);
    }
    body += ",\"status\":" + std::to_string(outcomes[i].status) + "}";
  }
  body += ']';
  response.json(200, body);
}

}  // namespace basalt::api
