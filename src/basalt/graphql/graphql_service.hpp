// GraphqlService: one GraphQL request from its text to its JSON answer (docs/graphql.md,
// "Execution"), for the HTTP transport today and the subscription transports later.
//
//   parse (Limits) -> pick the operation -> [over GET: queries only] -> validate against the
//   caller class's generated schema -> coerce variables -> execute the query root fields in
//   selection order -> {"errors"?, "data"}
//
// Each root field of the collections is ONE SQL statement (record_statement.hpp) run on the
// database's read pool under the caller's statement budget, as a REST list page is; a `_by_pk`
// without nested lists runs inline as a REST view does. Introspection and `__typename` are answered
// from the schema model on the request's worker. A field that fails becomes an error at its path
// and null in `data` (or data null when the field is non-null); the other fields still run.
//
// Schemas: one per caller class (guest, user, superuser), generated on first use from the
// current catalog and kept until the catalog's version moves; a request takes one schema (and
// the catalog snapshot it was built from) and uses it to the end, so a collection change in
// the middle of a request never mixes two versions. Rebuilds replace the cached pointer
// atomically; requests that still hold the old one keep it alive.
//
// Thread safety: execute() may be called concurrently from every worker.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/graphql/generated_schema.hpp"
#include "basalt/graphql/limits.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/caller.hpp"

namespace basalt::records {
class RecordService;
struct RecordEvent;
}  // namespace basalt::records

namespace boost::json {
class object;
}  // namespace boost::json

namespace basalt::graphql {

class RequestUploads;

// The settings a request runs under (settings.graphql, docs/graphql.md "Limits").
struct RequestPolicy {
  Limits limits;
  std::int64_t max_list_limit = 1000;  // `limit` of any list; also its default
  bool introspection_for_all = true;   // false: only superusers may ask __schema / __type
  // The time a mutation's writes may take as one batch (settings.batch.timeout).
  std::chrono::milliseconds mutation_timeout{std::chrono::seconds(3)};
};

struct GraphqlRequest {
  std::string_view document;
  const boost::json::object* variables = nullptr;  // null: none given
  std::string_view operation_name;                 // "" when none given
  bool over_get = false;  // GET: only query operations run (and subscriptions if allowed below)
  // Subscriptions (docs/graphql.md, "Subscriptions"): true on the subscription transports,
  // where a subscription operation runs its one root field as a query (a live query's first
  // and every later result); over plain HTTP it is a request error.
  bool allow_subscription = false;
  // When set, receives the tables the root fields' statements read (db::ReadSet, lowercase):
  // what a live query waits on before it runs again.
  std::vector<std::string>* read_tables = nullptr;
  // The files of a multipart request (request_uploads.hpp), taken by a mutation's writes; null
  // or empty for a JSON request. Any other operation with files is a request error.
  RequestUploads* uploads = nullptr;
};

struct GraphqlAnswer {
  enum class Kind : std::uint8_t {
    kExecuted,          // the operation ran: `body` has "data" (and maybe "errors")
    kRequestError,      // nothing ran (parse, validation, variables): `body` has "errors" only
    kMethodNotAllowed,  // a mutation or subscription over GET: nothing ran
  };
  Kind kind = Kind::kExecuted;
  std::string body;           // the JSON response
  bool subscription = false;  // kExecuted: the operation run was a subscription's root field
  // kExecuted: a root field was refused because the read pool's queue was full (503): the
  // operation is fine, the database is busy (a live query retries instead of ending).
  bool saturated = false;
};

// One batch of record events through a change feed (`<c>_events`, subscription_event_feed.hpp).
struct EventBatchAnswer {
  enum class Kind : std::uint8_t {
    kDelivered,  // `results`: what the subscriber receives, possibly nothing
    kFailed,     // `errors`: the operation is over (its document no longer runs, a field error)
  };
  Kind kind = Kind::kDelivered;
  // One execution result ({"data": {"<c>_events": {...}}}) per event the subscriber receives,
  // in the order of the batch.
  std::vector<std::string> results;
  // Beside each result: the index in the batch of the event it answers.
  std::vector<std::size_t> delivered;
  std::string errors;  // kFailed: a JSON array of GraphQL errors
  // kFailed because the read pool's queue was full (503): the operation is fine, the database
  // is busy; the feed retries the batch instead of ending.
  bool saturated = false;
};

class GraphqlService {
 public:
  // `user_budget`: the statement budget of guests' and non-superusers' reads, as the record
  // service's (db-user-statement-timeout); zero: the database's own.
  GraphqlService(db::Database& database, collections::CollectionService& collections,
                 query::PlanCache& plans, const core::Clock& clock,
                 std::chrono::milliseconds user_budget);

  boost::asio::awaitable<GraphqlAnswer> execute(const records::Caller& caller,
                                                GraphqlRequest request, query::RequestInfo info,
                                                RequestPolicy policy);

  // Change feeds (docs/graphql.md, "Change feeds"). The id of the collection whose `<c>_events`
  // the request's operation subscribes to, or "" for any other request (a live query, a query,
  // a mutation, a document that does not run: LiveQuery answers those).
  std::string event_feed_collection(const records::Caller& caller, const GraphqlRequest& request,
                                    const RequestPolicy& policy);
  // What `caller` receives of `events` through the feed `request` subscribes to, checked against
  // the current schema and rules: the events of the feed's collection with an action in
  // `actions`, whose record (as the event carries it) passes the listRule and `where`, each
  // selected as the operation asks - relations under their own rules - in one statement per
  // kMaxEventRecords events (subscription_event_batch.cpp). An empty batch only checks that the
  // operation runs (its document, its collection's rule, its `where`).
  boost::asio::awaitable<EventBatchAnswer> execute_events(
      const records::Caller& caller, GraphqlRequest request, query::RequestInfo info,
      RequestPolicy policy, std::vector<std::shared_ptr<const records::RecordEvent>> events);

  // Mutations write through `records` (mutation_executor.hpp); without it a mutation field fails
  // with an internal error. Set once, before the service is shared between threads.
  void set_record_service(records::RecordService* records) noexcept { records_ = records; }

  // The schema `caller_class` sees now (cached per catalog version).
  std::shared_ptr<const GeneratedSchema> schema_for(CallerClass caller_class);

  static CallerClass class_of(const records::Caller& caller) noexcept;

  // The current catalog (live queries decide from its rules what their runs may share).
  std::shared_ptr<const collections::Catalog> catalog() const { return collections_.catalog(); }

 private:
  db::Database& database_;
  collections::CollectionService& collections_;
  query::PlanCache& plans_;
  const core::Clock& clock_;
  std::chrono::milliseconds user_budget_;
  records::RecordService* records_ = nullptr;
  std::array<std::atomic<std::shared_ptr<const GeneratedSchema>>, 3> schemas_;
};

}  // namespace basalt::graphql
