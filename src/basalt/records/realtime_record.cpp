// RecordService's realtime checks (record_service.hpp): one event's record against one
// subscription's rule and filter, then shaped as a view.
#include <boost/json/value.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/query/evaluator.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/service_support.hpp"

namespace basalt::records {
namespace {

// The record read as the event carries it (a deleted record is no longer stored).
Statement virtual_row_check(const Access& access, const schema::Collection& collection,
                            const query::Plan& plan, const query::RequestInfo& request,
                            const boost::json::object& values) {
  const auto id = values.if_contains(schema::kFieldId);
  const std::string_view id_text =
      id && id->is_string() ? std::string_view(id->get_string()) : std::string_view();
  return matches_virtual_row(access, collection, plan, request, values, id_text,
                             "__basalt_event_record");
}

}  // namespace

boost::asio::awaitable<std::optional<RecordResult>> RecordService::realtime_record(
    const Caller& caller, const RecordEvent& event, bool view_rule, std::string filter,
    std::string expand, query::RequestInfo request) {
  RecordResult result;
  result.catalog = collections_.catalog();
  const schema::Collection* collection = result.catalog->find(event.collection_id);
  if (collection == nullptr) co_return std::nullopt;  // deleted since the event
  const schema::Rule& rule = view_rule ? collection->view_rule : collection->list_rule;
  if (!caller.is_superuser() && !rule) co_return std::nullopt;
  Access access(*result.catalog, caller, plans_, database_.dialect(), clock_.now(), user_budget_);
  request.auth = access.auth_info();
  std::vector<query::PlanPtr> conditions = support::rule_conditions(access, *collection, rule);
  if (!filter.empty()) conditions.push_back(access.client_filter(*collection, filter));

  std::optional<db::Params> row;  // the columns the evaluator reads, made once
  for (const auto& plan : conditions) {
    bool holds = false;
    bool answered = false;
    if (plan->evaluable()) {
      if (!row) row = insert_params(*collection, event.record);
      try {
        holds = query::evaluate(*plan, *row, request, access.now());
        answered = true;
      } catch (const query::EvaluationError&) {
        // too many :each combinations for memory: the database answers instead
      }
    }
    if (!answered) {
      Statement check = virtual_row_check(access, *collection, *plan, request, event.record);
      db::ResultSet rows = co_await database_.query(check.sql, check.params, access.scan_read());
      holds = !rows.empty();
    }
    if (!holds) co_return std::nullopt;
  }

  const ExpandTree tree = parse_expand(expand);
  std::vector<Record> records{Record{collection, event.record, {}, false}};
  co_await expand_records(database_, access, request, tree, expand_limits_, records);
  co_await support::resolve_email_visibility(database_, access, request, records);
  result.record = std::move(records.front());
  co_return result;
}

std::pair<std::string, std::string> RecordService::check_realtime_options(
    const Caller& caller, std::string_view collection_name, std::string_view filter,
    std::string_view expand) {
  parse_expand(expand);
  auto catalog = collections_.catalog();
  const schema::Collection* collection = catalog->find(collection_name);
  if (collection == nullptr) return {};
  if (filter.empty()) return {collection->id, collection->created};
  Access access(*catalog, caller, plans_, database_.dialect(), clock_.now(), user_budget_);
  support::refuse_expensive(caller, *catalog, access.client_filter(*collection, filter), nullptr);
  return {collection->id, collection->created};
}

}  // namespace basalt::records
