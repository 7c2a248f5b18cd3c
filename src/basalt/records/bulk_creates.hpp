// BulkCreates: the plain creates of one batch (docs/records.md, "Batch"), prepared together and
// run back to back in the batch's write job. A batch of a thousand creates is the bulk-insert
// case, and per record WriteOperation costs what a single create costs; here what the creates
// share is done once:
//   - per collection: the rule plans and the INSERT text (prepared once by the writer's
//     statement cache);
//   - per run of consecutive creates: the relation existence checks, one `SELECT id ... IN`
//     per related collection for every id the run's records name, instead of COUNTs per record;
//   - no id-existence query: the table's primary key refuses a taken id, and only then is the
//     record validated again against the database to report PocketBase's error.
// Semantics are WriteOperation's create, exactly: createRule per record (the virtual row,
// checked in the job; on a read connection first when validation fails), validation errors
// keyed by sub-request, 403/404/400 as for a single create, one event per record after the
// commit, all or nothing (the job throws BatchError at the first failing sub-request).
//
// Which creates: accepts() — a create (not an upsert, whose kind depends on a read) into a
// base collection with no password field, with no file part and no expand. Every other
// sub-request stays a WriteOperation in the same job, in request order.
//
// Phases, as WriteOperation's: add() per create on the caller's thread (validation, rule plans,
// statements); plan() once, before the job; execute_run() in the job, on the writer (statements
// only: it builds no SQL text and copies no JSON); finish() after the commit, on the caller's
// thread. Thread ownership: one BulkCreates belongs to one batch call; execute_run() reads what
// the caller's thread built and writes only its own locals (the job may run more than once).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "basalt/db/database_error.hpp"
#include "basalt/records/access.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/write_operation.hpp"

namespace basalt::records {

class BulkCreates {
 public:
  // `operations`: how many sub-requests the batch has (indexes run below it).
  BulkCreates(const WriteParts& parts, const Caller& caller,
              std::shared_ptr<const collections::Catalog> catalog, std::size_t operations);

  // Whether this path runs `op` (see above). A sub-request naming no collection is left to
  // WriteOperation, which reports it.
  bool accepts(const BatchOperation& op) const;

  // Prepares sub-request `index` (accepted, indexes increasing): 403 for a locked createRule,
  // validation with the existence questions noted (assumed answered as a valid record needs),
  // the rule checked on a read connection first when validation fails (400 with no details
  // when it refuses), the values and statements of the job. Takes op.input and op.request.
  // Throws core::ApiError.
  boost::asio::awaitable<void> add(std::size_t index, BatchOperation& op);

  // After the last add(): groups the creates into runs of consecutive sub-requests and builds
  // each run's existence statements.
  void plan();

  // Whether a run of creates starts at sub-request `index`.
  bool starts_run(std::size_t index) const;

  // In the write job: the creates of the run starting at `index`, in order, each after
  // `before_each(its index)` (the batch's deadline; it may throw). Returns the index after the
  // run. Throws BatchError at the first create that fails.
  boost::asio::awaitable<std::size_t> execute_run(
      db::Transaction& tx, std::size_t index,
      const std::function<void(std::size_t)>& before_each) const;

  // Rows of one multi-row INSERT: consecutive creates of a run into one collection with no rule
  // check and no id lookup share one statement (its per-statement cost once, not per row).
  static constexpr std::size_t kRowsPerInsert = 32;

  // Thrown by execute_run() when a multi-row INSERT failed. Such a statement may have kept the
  // rows before the failing one, so the job must fail as a whole; the batch then runs its job
  // again after insert_one_by_one(), where the failing create reports its own error.
  class RowsFailed : public std::exception {
   public:
    const char* what() const noexcept override { return "a multi-row insert failed"; }
  };
  // From now on every create is inserted by a statement of its own.
  void insert_one_by_one() noexcept { rows_at_once_ = false; }

  // Whether sub-request `index` is one of these creates.
  bool has(std::size_t index) const { return index < entry_of_.size() && entry_of_[index] >= 0; }

  // After the commit: publishes the record's event and returns its outcome (200 and the record;
  // its values move into the result, so call once).
  BatchOutcome finish(std::size_t index);

 private:
  // What the creates into one collection share.
  struct Group {
    const schema::Collection* collection = nullptr;
    std::vector<query::PlanPtr> conditions;  // the createRule for a non-superuser; empty: none
    std::string insert_sql;
    std::string insert_rows_sql;  // kRowsPerInsert rows
  };
  // A related record a create names: the related collection's id and the record's id.
  using Related = std::pair<std::string, std::string>;
  struct Entry {
    std::size_t index = 0;  // the sub-request
    const Group* group = nullptr;
    boost::json::object body;    // as submitted; validated again only to report an error
    boost::json::object values;  // the record as stored, id included
    db::Params insert;           // group->insert_sql's parameters
    std::optional<Statement> rule_check;
    // A custom id pattern: PocketBase compares ids ignoring case there, which the primary key
    // does not, so such an id is looked up in the job.
    std::optional<Statement> id_check;
    std::vector<Related> related;
    std::optional<OutboxRow> outbox_row;  // serialized, when the outbox wants the event
  };
  // kRowsPerInsert entries inserted by one statement: entries_[first, first + kRowsPerInsert).
  struct Rows {
    std::size_t first = 0;
    db::Params params;  // the entries' insert parameters, one after the other
  };
  struct Run {
    std::size_t first = 0;  // entries_[first, end)
    std::size_t end = 0;
    // One statement per related collection (and per kIdsPerStatement ids) selecting the ids
    // of the run's records that exist; `collection_id` says whose.
    std::vector<std::pair<std::string, Statement>> existence;
  };

  const Group& group_for(const schema::Collection& collection);
  const std::string& now_text();
  // The record of `entry` validated again with every existence question answered in `tx`:
  // throws its 400 with the field errors; else, given the constraint the INSERT broke, that
  // constraint's 400; else returns (the record is valid after all).
  boost::asio::awaitable<void> validate_in_job(db::Transaction& tx, const Entry& entry,
                                               const db::ConstraintError* broken) const;
  // Ids per collection id (the existing related records of a run, the records it inserted).
  using IdSets = std::unordered_map<std::string, std::unordered_set<std::string>>;
  // One create of a run: its rule, its related records (in `found`, else inserted earlier in
  // the run when `inserted` tracks their collection), its INSERT.
  boost::asio::awaitable<void> execute_entry(db::Transaction& tx, const Entry& entry,
                                             const IdSets& found, IdSets& inserted) const;
  // Whether every related record the entries of `rows` name is in `found`, in `inserted`, or
  // an earlier entry of `rows`.
  bool rows_as_noted(const Rows& rows, const IdSets& found, const IdSets& inserted) const;
  // Notes `entry`'s id as inserted when its collection is tracked.
  void note_inserted(const Entry& entry, IdSets& inserted) const;

  WriteParts parts_;
  const Caller& caller_;
  std::shared_ptr<const collections::Catalog> catalog_;
  Access access_;  // `@now` of the rules: the batch's start
  std::optional<query::AuthInfo> auth_;
  std::string batch_now_;
  std::vector<std::unique_ptr<Group>> groups_;  // pointers stay valid as groups are added
  std::vector<Entry> entries_;
  std::vector<std::ptrdiff_t> entry_of_;  // sub-request -> position in entries_, or -1
  std::vector<Run> runs_;
  std::vector<std::ptrdiff_t> run_of_;  // sub-request -> position in runs_ when a run starts
  bool rows_at_once_ = true;
  std::vector<Rows> rows_;
  std::vector<std::ptrdiff_t> rows_at_;  // entry -> position in rows_ when its Rows start there
  // The autodate text of the current millisecond, so that records written within one
  // millisecond share one formatting.
  std::int64_t now_millis_ = -1;
  std::string now_text_;
};

}  // namespace basalt::records
