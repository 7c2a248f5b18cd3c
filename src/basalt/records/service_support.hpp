// Pieces the record service's operations share (record_service.cpp, record_write.cpp,
// record_delete.cpp). Internal to the records module.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/records/access.hpp"
#include "basalt/records/event_bus.hpp"
#include "basalt/records/outbox_port.hpp"
#include "basalt/records/record.hpp"

namespace basalt::records::support {

// The collection named by id or name; 404 "Missing collection context." otherwise.
const schema::Collection& find_collection(const collections::Catalog& catalog,
                                          std::string_view id_or_name);

// 403 for a non-superuser when `rule` is null (locked).
void require_unlocked(const Caller& caller, const schema::Rule& rule);

// 400 "Unsupported collection type." for a view (records cannot be written there).
void require_writable(const schema::Collection& collection);

// The conditions a non-superuser must meet for `rule` (empty: none), resolved for the caller.
std::vector<query::PlanPtr> rule_conditions(const Access& access,
                                            const schema::Collection& collection,
                                            const schema::Rule& rule);

// Sets Record::email_visible on `record` (not its expansions) when the caller is the record
// itself or a superuser.
void mark_owned(const Caller& caller, Record& record);

// mark_owned on `records` (expand marks the records it fetches itself), and email_visible on
// the records of an auth collection whose manageRule the caller satisfies (one query for all).
boost::asio::awaitable<void> resolve_email_visibility(db::Database& database, const Access& access,
                                                      const query::RequestInfo& request,
                                                      std::vector<Record>& records);

// A unique-index violation as `validation_not_unique` on the fields it names; anything else
// the generic `message` 400. Never shows the database's text.
core::ApiError constraint_error(const schema::Collection& collection,
                                const db::ConstraintError& error, std::string message);

void publish_all(const EventBus& bus, const std::vector<RecordEvent>& events);

// `job`, followed in the same transaction by the outbox rows of the `events` it collected
// (docs/events.md). `events` is read after `job` returned, each time the job runs.
db::WriteJob with_outbox(OutboxPort* outbox, const std::vector<RecordEvent>& events,
                         db::WriteJob job);

// 400 for a non-superuser's filter and sort (either may be null) whose estimated work per
// record (query/filter_cost.hpp) is past the client bound; the collection's rule is trusted.
void refuse_expensive(const Caller& caller, const collections::Catalog& catalog,
                      const query::PlanPtr& filter, const query::PlanPtr& sort);

}  // namespace basalt::records::support
