#include "basalt/records/service_support.hpp"

#include <spdlog/spdlog.h>

#include "basalt/core/api_error.hpp"
#include "basalt/query/filter_cost.hpp"
#include "basalt/schema/index_sql.hpp"
#include "basalt/schema/validation_errors.hpp"

namespace basalt::records::support {
namespace {

namespace json = boost::json;

// The field a UNIQUE violation names: a "table.column" from the driver, or the columns of the
// collection index it names.
std::vector<std::string> violated_fields(const schema::Collection& collection,
                                         const db::ConstraintError& error) {
  std::vector<std::string> fields;
  for (const auto& column : error.columns()) {
    const auto dot = column.rfind('.');
    std::string name = dot == std::string::npos ? column : column.substr(dot + 1);
    if (collection.field_by_name(name)) fields.push_back(std::move(name));
  }
  if (!fields.empty() || error.constraint().empty()) return fields;
  for (const auto& sql : collection.indexes) {
    auto index = schema::IndexDefinition::parse(sql);
    if (!index || index->index_name != error.constraint()) continue;
    for (const auto& column : index->columns) {
      if (collection.field_by_name(column.name)) fields.push_back(column.name);
    }
  }
  return fields;
}

}  // namespace

void mark_owned(const Caller& caller, Record& record) {
  if (caller.is_superuser()) {
    record.email_visible = true;
  } else if (!caller.is_guest() && record.collection->id == caller.collection->id &&
             record.values.at(schema::kFieldId).get_string() == caller.id()) {
    record.email_visible = true;
  }
}

const schema::Collection& find_collection(const collections::Catalog& catalog,
                                          std::string_view id_or_name) {
  const schema::Collection* collection = catalog.find(id_or_name);
  if (!collection) throw core::ApiError::not_found("Missing collection context.");
  return *collection;
}

void require_unlocked(const Caller& caller, const schema::Rule& rule) {
  if (!rule && !caller.is_superuser()) {
    throw core::ApiError::forbidden("Only superusers can perform this action.");
  }
}

void require_writable(const schema::Collection& collection) {
  if (collection.is_view()) throw core::ApiError::bad_request("Unsupported collection type.");
}

std::vector<query::PlanPtr> rule_conditions(const Access& access,
                                            const schema::Collection& collection,
                                            const schema::Rule& rule) {
  std::vector<query::PlanPtr> conditions;
  if (access.caller().is_superuser() || !rule || rule->empty()) return conditions;
  conditions.push_back(access.rule(collection, *rule));
  return conditions;
}

boost::asio::awaitable<void> resolve_email_visibility(db::Database& database, const Access& access,
                                                      const query::RequestInfo& request,
                                                      std::vector<Record>& records) {
  for (auto& record : records) mark_owned(access.caller(), record);
  if (records.empty() || access.caller().is_guest() || access.caller().is_superuser()) co_return;
  const schema::Collection& collection = *records.front().collection;
  const auto& manage_rule = collection.auth.manage_rule;
  if (!collection.is_auth() || !manage_rule || manage_rule->empty()) co_return;
  std::vector<std::string> ids;
  for (const auto& record : records) {
    if (!record.email_visible) ids.emplace_back(record.values.at(schema::kFieldId).get_string());
  }
  if (ids.empty()) co_return;
  std::vector<query::PlanPtr> conditions{access.rule(collection, *manage_rule)};
  Statement statement = select_by_ids(access, collection, conditions, request, ids);
  db::ResultSet rows =
      co_await database.query(statement.sql, statement.params, access.point_read());
  const std::size_t id_column = [&] {
    for (std::size_t i = 0; i < collection.fields.size(); ++i) {
      if (collection.fields[i].name == schema::kFieldId) return i;
    }
    return std::size_t{0};
  }();
  for (auto row : rows) {
    const std::string_view managed = row.as_text(id_column);
    for (auto& record : records) {
      if (record.values.at(schema::kFieldId).get_string() == managed) record.email_visible = true;
    }
  }
}

core::ApiError constraint_error(const schema::Collection& collection,
                                const db::ConstraintError& error, std::string message) {
  spdlog::debug("constraint violation in {}: {}", collection.name, error.what());
  if (error.kind() == db::ConstraintKind::kUnique) {
    schema::ValidationErrors errors;
    for (const auto& field : violated_fields(collection, error)) {
      errors.add({field}, schema::make_error("validation_not_unique", "Value must be unique."));
    }
    if (!errors.empty()) return errors.to_api_error(std::move(message));
  }
  return core::ApiError::bad_request(std::move(message));
}

void publish_all(const EventBus& bus, const std::vector<RecordEvent>& events) {
  for (const auto& event : events) bus.publish(event);
}

db::WriteJob with_outbox(OutboxPort* outbox, const std::vector<RecordEvent>& events,
                         db::WriteJob job) {
  if (outbox == nullptr) return job;
  return
      [outbox, &events, job = std::move(job)](db::Transaction& tx) -> boost::asio::awaitable<void> {
        co_await job(tx);
        const std::span<const RecordEvent> happened(events);
        co_await append_to_outbox(outbox, tx, happened);
      };
}

// (service_support.hpp) A non-superuser's filter and sort whose estimated work per record
// (filter_cost.hpp) is past the limit: 400 before anything runs. The collection's own rule is
// trusted and not counted.
void refuse_expensive(const Caller& caller, const collections::Catalog& catalog,
                      const query::PlanPtr& filter, const query::PlanPtr& sort) {
  if (caller.is_superuser() || (!filter && !sort)) return;
  const query::Plan* plans[] = {filter.get(), sort.get()};
  const std::uint64_t cost = query::estimate_cost(plans, catalog.all());
  if (cost <= query::kMaxClientCost) return;
  throw core::ApiError::bad_request(
      "The filter or sort is too expensive: it walks too many multi-valued relations (an "
      "estimated " +
      std::to_string(cost) + " row visits per record; at most " +
      std::to_string(query::kMaxClientCost) + ").");
}

}  // namespace basalt::records::support
