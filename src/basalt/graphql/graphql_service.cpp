#include "basalt/graphql/graphql_service.hpp"

#include <spdlog/spdlog.h>
#include <boost/json.hpp>
#include <vector>

#include "basalt/core/api_error.hpp"
#include "basalt/core/span_scope.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/graphql/field_failure.hpp"
#include "basalt/graphql/introspection.hpp"
#include "basalt/graphql/mutation_executor.hpp"
#include "basalt/graphql/operation_front.hpp"
#include "basalt/graphql/parser.hpp"
#include "basalt/graphql/record_statement.hpp"
#include "basalt/graphql/request_uploads.hpp"
#include "basalt/graphql/selection.hpp"
#include "basalt/graphql/validator.hpp"
#include "basalt/graphql/variable_coercion.hpp"
#include "basalt/records/access.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;

GraphqlAnswer request_error(const std::vector<Error>& errors, std::string_view document,
                            GraphqlAnswer::Kind kind = GraphqlAnswer::Kind::kRequestError) {
  return {kind, "{\"errors\":" + errors_json(errors, document) + "}"};
}

// GetOperation (6.1): the named one, or the only one.
const OperationDefinition* pick_operation(const Document& document, std::string_view name,
                                          Error& error) {
  error.code = ErrorCode::kValidationFailed;
  if (name.empty()) {
    if (document.operations.size() == 1) return &document.operations.front();
    error.message = document.operations.empty()
                        ? "Must provide an operation."
                        : "Must provide operation name if query contains multiple operations.";
    return nullptr;
  }
  for (const OperationDefinition& operation : document.operations) {
    if (operation.name == name) return &operation;
  }
  error.message =
      "Unknown operation named \"" + shorten_for_message(std::string(name), 100) + "\".";
  return nullptr;
}

bool non_null_root(const FieldGroup& group) {
  return group.definition != nullptr && view(group.definition->type).non_null();
}

}  // namespace

std::optional<GraphqlAnswer> prepare_operation(GraphqlService& service,
                                               const records::Caller& caller,
                                               const GraphqlRequest& request,
                                               const RequestPolicy& policy,
                                               PreparedOperation& out) {
  const std::string_view text = request.document;
  Error error;
  // The phases as child spans of the request when it is sampled (docs/observability.md):
  // graphql.parse, graphql.validate (validation and the variables' coercion), graphql.execute.
  core::SpanScope parse_span;
  parse_span.start("graphql.parse");
  out.document = parse_document(text, policy.limits, error);
  if (!out.document) {
    parse_span.set_error();
    return request_error({error}, text);
  }
  parse_span.finish();
  const OperationDefinition* operation =
      pick_operation(*out.document, request.operation_name, error);
  if (operation == nullptr) return request_error({error}, text);
  // Over GET nothing may write: queries only, and subscriptions on a transport that serves them
  // (graphql-sse's GET).
  const bool get_allows =
      operation->type == OperationType::kQuery ||
      (operation->type == OperationType::kSubscription && request.allow_subscription);
  if (request.over_get && !get_allows) {
    error = {ErrorCode::kValidationFailed,
             "Only query operations can be sent with GET; use POST for " +
                 std::string(operation_type_name(operation->type)) + "s.",
             {operation->offset}};
    return request_error({error}, text, GraphqlAnswer::Kind::kMethodNotAllowed);
  }
  if (operation->type == OperationType::kSubscription && !request.allow_subscription) {
    error = {ErrorCode::kValidationFailed,
             "Subscriptions are served over WebSocket at /api/graphql and over server-sent "
             "events at /api/graphql/stream.",
             {operation->offset}};
    return request_error({error}, text);
  }
  core::SpanScope validate_span;
  validate_span.start("graphql.validate");
  out.generated = service.schema_for(GraphqlService::class_of(caller));
  const Schema& schema = out.generated->schema;
  std::vector<Error> errors = validate(*out.document, schema, policy.limits);
  if (errors.empty()) {
    errors = coerce_variables(schema, *operation, request.variables, policy.limits, out.variables);
  }
  if (!errors.empty()) {
    validate_span.set_error();
    return request_error(errors, text);
  }
  out.operation = operation;
  return std::nullopt;
}

// A service error of a root field as a GraphQL error code (docs/graphql.md, "Errors").
ErrorCode error_code_of(const core::ApiError& error) {
  switch (error.status()) {
    case 400:
      return ErrorCode::kValidationFailed;
    case 401:
    case 403:
      return ErrorCode::kPermissionDenied;
    case 404:
      return ErrorCode::kNotFound;
    default:
      return ErrorCode::kInternal;
  }
}

bool too_large_for_the_database(const db::DatabaseError& error) {
  const std::string_view text = error.what();
  return text.find("parser stack overflow") != std::string_view::npos ||
         text.find("Expression tree is too large") != std::string_view::npos ||
         text.find("too many SQL variables") != std::string_view::npos ||
         text.find("too many arguments on function") != std::string_view::npos;
}

GraphqlService::GraphqlService(db::Database& database, collections::CollectionService& collections,
                               query::PlanCache& plans, const core::Clock& clock,
                               std::chrono::milliseconds user_budget)
    : database_(database),
      collections_(collections),
      plans_(plans),
      clock_(clock),
      user_budget_(user_budget) {}

CallerClass GraphqlService::class_of(const records::Caller& caller) noexcept {
  if (caller.is_superuser()) return CallerClass::kSuperuser;
  return caller.is_guest() ? CallerClass::kGuest : CallerClass::kUser;
}

std::shared_ptr<const GeneratedSchema> GraphqlService::schema_for(CallerClass caller_class) {
  auto& slot = schemas_[static_cast<std::size_t>(caller_class)];
  std::shared_ptr<const collections::Catalog> catalog = collections_.catalog();
  std::shared_ptr<const GeneratedSchema> cached = slot.load();
  if (cached && cached->catalog->version() == catalog->version()) return cached;
  std::shared_ptr<const GeneratedSchema> built = generate_schema(catalog, caller_class);
  // Publish unless a newer version got there first (two workers may build at once).
  while (!cached || cached->catalog->version() < catalog->version()) {
    if (slot.compare_exchange_weak(cached, built)) break;
  }
  return built;
}

boost::asio::awaitable<GraphqlAnswer> GraphqlService::execute(const records::Caller& caller,
                                                              GraphqlRequest request,
                                                              query::RequestInfo info,
                                                              RequestPolicy policy) {
  const std::string_view text = request.document;
  PreparedOperation prepared;
  if (std::optional<GraphqlAnswer> refused =
          prepare_operation(*this, caller, request, policy, prepared)) {
    co_return std::move(*refused);
  }
  const OperationDefinition* operation = prepared.operation;
  core::SpanScope execute_span;  // the root fields' spans and their statements hang under it
  if (execute_span.start("graphql.execute")) {
    execute_span.set("graphql.operation.type", operation_type_name(operation->type));
    if (!operation->name.empty()) execute_span.set("graphql.operation.name", operation->name);
  }
  const std::shared_ptr<const GeneratedSchema>& generated = prepared.generated;
  const Schema& schema = generated->schema;
  std::vector<Error> errors;
  const ExecutionScope scope(schema, *prepared.document, prepared.variables);
  records::Access access(*generated->catalog, caller, plans_, database_.dialect(), clock_.now(),
                         user_budget_);
  info.auth = access.auth_info();
  if (request.uploads != nullptr && !request.uploads->empty() &&
      operation->type != OperationType::kMutation) {
    co_return request_error({Error{ErrorCode::kValidationFailed,
                                   "Files can be sent with a mutation only.",
                                   {operation->offset},
                                   {}}},
                            text);
  }
  if (operation->type == OperationType::kMutation) {
    // Mutations (mutation_executor.hpp): every root field in one batch through the records.
    const TypeDef& mutation_root = *schema.root(OperationType::kMutation);
    const std::vector<FieldGroup> groups = scope.collect(mutation_root, operation->selections);
    MutationAnswer written;
    if (records_ == nullptr) {
      written.data = "null";
      written.errors.push_back({ErrorCode::kInternal, "Internal error.", {operation->offset}, {}});
    } else {
      // Without files (a JSON request) the writes still look for markers, which then name
      // nothing: a client cannot slip a marker past as a file field's value.
      RequestUploads no_files;
      RequestUploads* uploads = request.uploads != nullptr ? request.uploads : &no_files;
      const MutationContext context{*generated,
                                    scope,
                                    access,
                                    info,
                                    *records_,
                                    database_,
                                    policy.max_list_limit,
                                    policy.mutation_timeout,
                                    uploads};
      written = co_await run_mutation(context, groups);
    }
    std::string body = "{";
    if (!written.errors.empty()) body += "\"errors\":" + errors_json(written.errors, text) + ",";
    body += "\"data\":" + written.data + "}";
    co_return GraphqlAnswer{GraphqlAnswer::Kind::kExecuted, std::move(body)};
  }
  // A subscription's root field is a query root field run once (its Subscription type has the
  // same fields); mutations were answered above.
  const TypeDef& root =
      *schema.root(operation->type == OperationType::kSubscription ? OperationType::kSubscription
                                                                   : OperationType::kQuery);
  std::string data = "{";
  bool data_null = false;
  bool saturated = false;
  for (const FieldGroup& group : scope.collect(root, operation->selections)) {
    std::string value = "null";
    std::optional<Error> failure;
    const std::vector<std::string> path{std::string(group.response_name)};
    const std::uint32_t offset = group.fields.front()->offset;
    core::SpanScope field_span;  // one per root field, ended with the iteration
    if (field_span.start("graphql.field")) {
      field_span.set("graphql.field.name", group.field_name);
    }
    try {
      if (group.field_name == "__typename") {
        value = "\"" + root.name + "\"";
      } else if (group.field_name == "__schema" || group.field_name == "__type") {
        if (!policy.introspection_for_all && !caller.is_superuser()) {
          throw FieldFailure(ErrorCode::kPermissionDenied,
                             "Introspection is available to superusers only.");
        }
        value = json::serialize(group.field_name == "__schema" ? introspect_schema(scope, group)
                                                               : introspect_type(scope, group));
      } else if (group.field_name == kSchemaVersionField) {
        value = "\"" + std::to_string(generated->catalog->version()) + "\"";
      } else {
        const RootBinding& binding = generated->roots.at(std::string(group.field_name));
        RootStatement compiled = compile_root_field(*generated, scope, access, info, group, binding,
                                                    policy.max_list_limit);
        if (request.read_tables != nullptr) {
          for (std::string& table : database_.read_set(compiled.statement.sql).tables) {
            request.read_tables->push_back(std::move(table));
          }
        }
        const db::ReadOptions read = compiled.scans ? access.scan_read() : access.point_read();
        db::ResultSet rows =
            co_await database_.query(compiled.statement.sql, compiled.statement.params, read);
        if (binding.kind == RootKind::kList) {
          value = "[";
          bool first = true;
          for (auto row : rows) {
            if (!first) value += ',';
            first = false;
            value += row.as_text(0);
          }
          value += "]";
        } else if (!rows.empty()) {
          value = std::string(rows[0].as_text(0));
        }
      }
    } catch (const FieldFailure& e) {
      failure = Error{e.code(), e.what(), {offset}, path};
    } catch (const core::ApiError& e) {
      if (e.status() == 503) saturated = true;
      failure = Error{error_code_of(e), e.message(), {offset}, path};
    } catch (const db::DatabaseError& e) {
      if (too_large_for_the_database(e)) {
        failure = Error{ErrorCode::kLimitExceeded, kTooLargeMessage, {offset}, path};
      } else {
        spdlog::error("graphql: root field {} failed: {}", group.field_name, e.what());
        failure = Error{ErrorCode::kInternal, "Internal error.", {offset}, path};
      }
    } catch (const std::exception& e) {
      spdlog::error("graphql: root field {} failed: {}", group.field_name, e.what());
      failure = Error{ErrorCode::kInternal, "Internal error.", {offset}, path};
    }
    if (failure) {
      field_span.set_error();
      errors.push_back(std::move(*failure));
      value = "null";
      if (non_null_root(group)) data_null = true;
    }
    if (data.size() > 1) data += ',';
    data += json::serialize(json::string(group.response_name));
    data += ':';
    data += value;
  }
  data += '}';
  std::string body = "{";
  if (!errors.empty()) body += "\"errors\":" + errors_json(errors, text) + ",";
  body += "\"data\":" + (data_null ? std::string("null") : data) + "}";
  co_return GraphqlAnswer{GraphqlAnswer::Kind::kExecuted, std::move(body),
                          operation->type == OperationType::kSubscription, saturated};
}

}  // namespace basalt::graphql
