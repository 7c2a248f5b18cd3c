// GraphqlService's change feeds (graphql_service.hpp, docs/graphql.md "Change feeds"): which
// operation is a `<c>_events` feed, and what a subscriber receives of a batch of record events.
//
// The rules are REST realtime's for a collection topic: a record event reaches the subscriber
// when its record, as the event carries it (a deleted record as it was), passes the
// collection's current listRule for the subscriber (superusers: every record) and the feed's
// `where` (REST's topic filter, here the filter AST of where_filter.hpp, resolved as a client
// filter); hidden fields are not in the caller's schema; the email shows as records::Visibility
// says. Both checks and the selection - relations read under their own viewRule - are one
// statement per kMaxEventRecords records (record_statement.hpp, compile_event_records), on the
// read pool under the caller's budget.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "basalt/graphql/field_failure.hpp"
#include "basalt/graphql/graphql_service.hpp"
#include "basalt/graphql/operation_front.hpp"
#include "basalt/graphql/record_statement.hpp"
#include "basalt/graphql/selection.hpp"
#include "basalt/records/access.hpp"
#include "basalt/records/event_bus.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;

// The feed's one root field and what it watches, or null when the operation is no feed.
struct FeedField {
  const FieldGroup* group = nullptr;
  const schema::Collection* collection = nullptr;
};

FeedField feed_field(const PreparedOperation& prepared, const std::vector<FieldGroup>& groups) {
  // A subscription has exactly one root field (validation, 5.2.3.1), never __typename.
  if (prepared.operation->type != OperationType::kSubscription || groups.size() != 1) return {};
  const auto found = prepared.generated->event_feeds.find(std::string(groups.front().field_name));
  if (found == prepared.generated->event_feeds.end()) return {};
  return {&groups.front(), found->second};
}

std::string failure_errors(const Error& error, std::string_view document) {
  return errors_json({error}, document);
}

// The actions the feed wants: its `actions` argument (enum values), all three when absent or
// null.
std::unordered_set<std::string> wanted_actions(const json::object& args) {
  std::unordered_set<std::string> out;
  const json::value* given = args.if_contains("actions");
  if (given == nullptr || given->is_null()) return {"create", "update", "delete"};
  if (given->is_array()) {
    for (const json::value& item : given->get_array()) {
      if (item.is_string()) out.emplace(item.get_string());
    }
  } else if (given->is_string()) {
    out.emplace(given->get_string());  // a single value for a list (input coercion)
  }
  return out;
}

}  // namespace

std::string GraphqlService::event_feed_collection(const records::Caller& caller,
                                                  const GraphqlRequest& request,
                                                  const RequestPolicy& policy) {
  GraphqlRequest subscription = request;
  subscription.allow_subscription = true;
  PreparedOperation prepared;
  if (prepare_operation(*this, caller, subscription, policy, prepared)) return {};
  const ExecutionScope scope(prepared.generated->schema, *prepared.document, prepared.variables);
  const TypeDef* root = prepared.generated->schema.root(prepared.operation->type);
  if (root == nullptr) return {};
  const std::vector<FieldGroup> groups = scope.collect(*root, prepared.operation->selections);
  const FeedField feed = feed_field(prepared, groups);
  return feed.collection != nullptr ? feed.collection->id : std::string();
}

boost::asio::awaitable<EventBatchAnswer> GraphqlService::execute_events(
    const records::Caller& caller, GraphqlRequest request, query::RequestInfo info,
    RequestPolicy policy, std::vector<std::shared_ptr<const records::RecordEvent>> events) {
  EventBatchAnswer answer;
  const std::string_view text = request.document;
  request.allow_subscription = true;
  PreparedOperation prepared;
  if (std::optional<GraphqlAnswer> refused =
          prepare_operation(*this, caller, request, policy, prepared)) {
    // The document no longer runs (a collection change took a field it names, say).
    answer.kind = EventBatchAnswer::Kind::kFailed;
    const json::value body = json::parse(refused->body);
    answer.errors = json::serialize(body.at("errors"));
    co_return answer;
  }
  const GeneratedSchema& generated = *prepared.generated;
  const ExecutionScope scope(generated.schema, *prepared.document, prepared.variables);
  const TypeDef& root = *generated.schema.root(OperationType::kSubscription);
  const std::vector<FieldGroup> groups = scope.collect(root, prepared.operation->selections);
  const FeedField feed = feed_field(prepared, groups);
  const FieldGroup* group = feed.group;
  const std::uint32_t offset = group != nullptr ? group->fields.front()->offset : 0;
  const std::vector<std::string> path{group != nullptr ? std::string(group->response_name) : ""};
  if (feed.collection == nullptr) {
    answer.kind = EventBatchAnswer::Kind::kFailed;
    answer.errors = failure_errors(
        {ErrorCode::kValidationFailed, "The operation is no longer a change feed.", {}, {}}, text);
    co_return answer;
  }
  const schema::Collection& collection = *feed.collection;
  records::Access access(*generated.catalog, caller, plans_, database_.dialect(), clock_.now(),
                         user_budget_);
  info.auth = access.auth_info();
  const TypeDef* event_type = generated.schema.find_type(collection.name + "_event");

  std::optional<Error> failure;
  // Per event delivered: the JSON of each `record` field of the selection, by response name.
  std::vector<std::size_t> chosen;  // indexes into `events`
  std::vector<std::vector<std::string>> record_json;
  try {
    json::object args;
    try {
      args = scope.arguments(*group);
    } catch (const std::invalid_argument& e) {
      throw FieldFailure(ErrorCode::kValidationFailed, e.what());
    }
    if (!caller.is_superuser() && !collection.list_rule) {
      throw FieldFailure(ErrorCode::kPermissionDenied,
                         "Only superusers can read the collection \"" + collection.name + "\".");
    }
    const query::PlanPtr where = compile_where_argument(access, collection, args);
    const std::unordered_set<std::string> actions = wanted_actions(args);
    std::vector<const json::object*> records;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const records::RecordEvent& event = *events[i];
      if (event.collection_id != collection.id) continue;
      if (!actions.contains(std::string(records::record_action_name(event.action)))) continue;
      chosen.push_back(i);
      records.push_back(&event.record);
    }
    // The `record` fields of the selection (aliases may ask for it more than once, each with
    // its own selection: a statement each); none still needs the check: an empty object.
    std::vector<FieldGroup> record_groups;
    for (FieldGroup& part : scope.collect_sub(*event_type, *group)) {
      if (part.field_name == "record") record_groups.push_back(std::move(part));
    }
    if (record_groups.empty()) record_groups.emplace_back();
    // rows[g][k]: the JSON of record group g for chosen record k, "" when it is not visible.
    std::vector<std::vector<std::string>> rows(record_groups.size(),
                                               std::vector<std::string>(records.size()));
    for (std::size_t g = 0; g < record_groups.size(); ++g) {
      for (std::size_t from = 0; from < records.size(); from += kMaxEventRecords) {
        const std::size_t count = std::min(kMaxEventRecords, records.size() - from);
        const std::span<const json::object* const> chunk(records.data() + from, count);
        RootStatement compiled =
            compile_event_records(generated, scope, access, info, record_groups[g], collection,
                                  chunk, where, policy.max_list_limit);
        const db::ReadOptions read = access.scan_read();
        db::ResultSet result =
            co_await database_.query(compiled.statement.sql, compiled.statement.params, read);
        for (auto row : result) {
          const auto k = static_cast<std::size_t>(row.as_int(0));
          if (k < count) rows[g][from + k] = std::string(row.as_text(1));
        }
      }
    }
    // A record every statement returned is delivered (they answer alike unless a commit came
    // between them, and then the feed errs on the side of not sending).
    std::vector<std::size_t> delivered;
    for (std::size_t k = 0; k < records.size(); ++k) {
      bool visible = true;
      std::vector<std::string> values;
      for (std::size_t g = 0; g < rows.size(); ++g) {
        if (rows[g][k].empty()) visible = false;
        values.push_back(std::move(rows[g][k]));
      }
      if (!visible) continue;
      delivered.push_back(chosen[k]);
      record_json.push_back(std::move(values));
    }
    chosen = std::move(delivered);
    // The result of each delivered event, its fields in selection order.
    const std::string response = json::serialize(json::string(group->response_name));
    for (std::size_t d = 0; d < chosen.size(); ++d) {
      const records::RecordEvent& event = *events[chosen[d]];
      std::string object = "{";
      std::size_t next_record = 0;
      for (const FieldGroup& part : scope.collect_sub(*event_type, *group)) {
        if (object.size() > 1) object += ',';
        object += json::serialize(json::string(part.response_name)) + ":";
        if (part.field_name == "action") {
          object += "\"" + std::string(records::record_action_name(event.action)) + "\"";
        } else if (part.field_name == "record") {
          object += record_json[d][next_record++];
        } else {
          object += "\"" + event_type->name + "\"";  // __typename
        }
      }
      object += "}";
      answer.results.push_back("{\"data\":{" + response + ":" + object + "}}");
    }
    answer.delivered = chosen;
  } catch (const FieldFailure& e) {
    failure = Error{e.code(), e.what(), {offset}, path};
  } catch (const core::ApiError& e) {
    if (e.status() == 503) answer.saturated = true;
    failure = Error{error_code_of(e), e.message(), {offset}, path};
  } catch (const db::DatabaseError& e) {
    if (too_large_for_the_database(e)) {
      failure = Error{ErrorCode::kLimitExceeded, kTooLargeMessage, {offset}, path};
    } else {
      spdlog::error("graphql: change feed {} failed: {}", group->field_name, e.what());
      failure = Error{ErrorCode::kInternal, "Internal error.", {offset}, path};
    }
  }
  if (failure) {
    answer.kind = EventBatchAnswer::Kind::kFailed;
    answer.results.clear();
    answer.delivered.clear();
    answer.errors = failure_errors(*failure, text);
  }
  co_return answer;
}

}  // namespace basalt::graphql
