// MutationExecutor: the root fields of one mutation operation (docs/graphql.md, "Mutations"),
// all written through the record service as ONE batch: one transaction, every write with the
// caller's rules, validation, modifiers, cascades and events, exactly as REST's; any failure
// rolls every root field back.
//
//   1. plan, on the request's worker, in selection order: each root field's writes
//      (records::BatchOperation) from its arguments; for `update_<c>` / `delete_<c>` the ids of
//      the records `where` selects with the collection's updateRule / deleteRule ANDed in (read
//      on the read pool; at most the list limit per root field, more is limit-exceeded); the
//      read-back statements compiled once with stand-in ids, so a selection that cannot be
//      answered fails here, before anything is written; a delete's answer read now, while its
//      records exist. A failure stops here: nothing is written.
//   2. write: RecordService::batch with every root field's operations in order.
//   3. answer: `affected_rows` (the writes of the root field; cascades not counted),
//      `returning` and the record of `_one` / `_by_pk`, read back after the commit by id under
//      the caller's viewRule and visibility, in one statement per root field.
//
// A root field that fails (planning or its write in the batch) is null with its error and
// every other root field is null without one: nothing of the request was written. Between the
// selection of 1. and the write the data may change; the write checks its rule again, so a
// record that no longer passes fails the request (not-found) rather than being written.
//
// Thread safety: one call per request, on its worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "basalt/db/database.hpp"
#include "basalt/graphql/error.hpp"
#include "basalt/graphql/generated_schema.hpp"
#include "basalt/graphql/request_uploads.hpp"
#include "basalt/graphql/selection.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/access.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::graphql {

// At most this many record writes (root fields' objects and selected records together) in one
// mutation request: one batch, one transaction.
inline constexpr std::size_t kMaxMutationWrites = 1000;

struct MutationContext {
  const GeneratedSchema& generated;
  const ExecutionScope& scope;
  const records::Access& access;
  const query::RequestInfo& request;  // what rules read as @request (auth filled in)
  records::RecordService& records;
  db::Database& database;
  std::int64_t max_list_limit = 1000;
  std::chrono::milliseconds timeout{3000};  // the batch's, from settings.batch.timeout
  // The request's files (request_uploads.hpp); null without. Every one must be taken by a
  // write's file field, or nothing is written.
  RequestUploads* uploads = nullptr;
};

struct MutationAnswer {
  std::string data;  // the "data" object's JSON text
  std::vector<Error> errors;
};

boost::asio::awaitable<MutationAnswer> run_mutation(const MutationContext& context,
                                                    const std::vector<FieldGroup>& groups);

}  // namespace basalt::graphql
