// WriteOperation: one create, update, upsert or delete of a record, split in the three phases
// the record service runs it in, so that a single call and a batch (many operations in one
// transaction) share every line of it. Internal to the records module. It writes rows; the
// client's JSON of a record is record_response_json.hpp (text) or record_export.hpp (DOM).
//
//   prepare()  on the caller's thread, before any write job: collection and rule lookups,
//              locked-rule 403s, upsert's create-or-update decision, every check that depends
//              only on the request (and the stored row an update reads first), and last the
//              slow password work (hashing new passwords, checking oldPassword) on the
//              PasswordPort. A body it refuses never reaches the single writer;
//   execute()  inside the write job: the rule check, validation with the checks that need the
//              database (relations and ids exist, the row as it is now), the statement(s),
//              cascades. It may run more than once (Database::write) and overwrites what it
//              hands on each time. Throws core::ApiError. A create runs only statements
//              prepare() built (rule check, existence checks, INSERT): its validation is
//              redone in the job only when the database answers an existence check otherwise
//              than prepare() assumed, to report the error;
//   finish()   after the commit: removes the files the commit dropped (blocking pool),
//              publishes the events, then expands the result and resolves what the caller may
//              see of it (create/update).
//   discard()  instead of finish(), when the write job failed: removes the files prepare()
//              stored for it (docs/files.md, "Life of a file"). An operation abandoned between
//              the two (shutdown) cannot know whether its job committed: its files are left to
//              the startup sweep.
//
// Files: prepare() inspects the uploads, validates them with the rest of the body and, last,
// stores them at their final keys (no record references them yet); the job writes only names.
//
// Thread ownership: one operation belongs to one service call; execute() runs on the writer.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/access.hpp"
#include "basalt/records/event_bus.hpp"
#include "basalt/records/expand.hpp"
#include "basalt/records/hook_port.hpp"
#include "basalt/records/password_port.hpp"
#include "basalt/records/record.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/relation_lookup.hpp"
#include "basalt/schema/record_validator.hpp"

namespace basalt::records {

// What every operation borrows from the service.
struct WriteParts {
  db::Database& database;
  query::PlanCache& plans;
  const PasswordPort& passwords;
  const EventBus& events;
  const ExpandLimits& expand_limits;
  const core::Clock& clock;      // `@now` and the autodate fields of this write
  const FileStore* files;        // null: uploads are refused, no file is removed
  OutboxPort* outbox = nullptr;  // null: no outbox rows (docs/events.md)
  HookPort* hooks = nullptr;     // null: no script hooks (hook_port.hpp)
};

// The password work done before the write job.
struct PasswordWork {
  std::map<std::string, std::string, std::less<>> hashes;  // plaintext -> new hash
  bool old_checked = false;  // an oldPassword was verified against `old_hash`
  bool old_matches = false;
  std::string old_hash;  // the stored hash it was verified against
};

class WriteOperation {
 public:
  // `catalog` is the snapshot the whole call works on; `id` is empty for a create (an upsert
  // takes it from the body).
  WriteOperation(const WriteParts& parts, const Caller& caller,
                 std::shared_ptr<const collections::Catalog> catalog, WriteKind kind,
                 std::string_view collection, std::string id, WriteInput input,
                 query::RequestInfo request);

  ~WriteOperation();
  WriteOperation(const WriteOperation&) = delete;
  WriteOperation& operator=(const WriteOperation&) = delete;

  boost::asio::awaitable<void> prepare();
  boost::asio::awaitable<void> execute(db::Transaction& tx);
  boost::asio::awaitable<RecordResult> finish();
  boost::asio::awaitable<void> discard();

  WriteKind kind() const noexcept { return kind_; }

 private:
  boost::asio::awaitable<void> execute_create(db::Transaction& tx);
  boost::asio::awaitable<void> execute_update(db::Transaction& tx);
  // Deletes the record's `_mfas` and `_authOrigins` rows when `updated` has another password
  // hash than `stored`.
  boost::asio::awaitable<void> end_mfa_sessions_on_new_password(db::Transaction& tx,
                                                                const boost::json::object& stored,
                                                                const boost::json::object& updated);
  boost::asio::awaitable<void> execute_delete(db::Transaction& tx);
  // Validation in the job; returns the values to store or throws the 400 with every error.
  // `answered`, when given, is a lookup already answered in this job, used as it is.
  boost::asio::awaitable<boost::json::object> validate(db::Transaction& tx,
                                                       const boost::json::object* stored,
                                                       schema::AccessLevel level,
                                                       std::string_view failure,
                                                       PrefetchedLookup* answered = nullptr);
  // A create's INSERT, built once prepare() has the final values.
  void prepare_insert();
  // prepare()'s request-only checks, the rule first when they fail, then the password work.
  boost::asio::awaitable<void> check_request(const boost::json::object* stored);
  // The operation's rule on a read connection: 400 (create) or 404 (update) when it refuses.
  boost::asio::awaitable<void> require_rule_on_read(const boost::json::object& values);
  std::string select_by_id_sql() const;
  // Uploads: refuse bad parts, inspect (MIME, names) and merge them into the body.
  boost::asio::awaitable<void> attach_files();
  // Stores every kept upload at its final key, once the body passed prepare()'s checks.
  boost::asio::awaitable<void> store_files(std::string_view record_id);
  // Removes what the commit dropped and what was stored but not taken into the record.
  boost::asio::awaitable<void> remove_dropped_files();
  // The keys of the stored files of `stored` that `values` no longer names (with thumbnails).
  void note_dropped_files(const boost::json::object& stored, const boost::json::object& values);
  // 400 on `id` when another auth collection has a record with this id.
  // The before-hook of this write (hook_port.hpp), when one is registered; `stored` is an
  // update's row as read.
  boost::asio::awaitable<void> run_before_hook(const boost::json::object* stored);
  // The after-hook, after the commit; `values` the record as committed.
  boost::asio::awaitable<void> run_after_hook(HookEvent event, boost::json::object& values);
  boost::asio::awaitable<void> require_unique_auth_id(db::Transaction& tx,
                                                      const boost::json::object& values);
  // The rule checks of create (against a virtual row) and update (against the stored row);
  // `values` are the record as the body makes it (modifier keys resolved), for @request.body.
  // The create check's text depends only on the collection, the rule and the request's shape,
  // never on the submitted values, so the writer's statement cache keeps it prepared.
  Statement create_rule_check(const boost::json::object& values) const;
  Statement update_rule_check(const boost::json::object& values) const;

  WriteParts parts_;
  const Caller& caller_;
  std::shared_ptr<const collections::Catalog> catalog_;
  WriteKind kind_;
  const schema::Collection* collection_ = nullptr;
  std::string id_;
  WriteInput input_;
  query::RequestInfo request_;
  std::optional<Access> access_;
  std::string now_;
  ExpandTree expand_;
  std::vector<query::PlanPtr> conditions_;  // the operation's rule, for non-superusers
  std::vector<query::PlanPtr> manage_;      // an auth collection's manageRule, when it applies
  PasswordWork passwords_;
  // Create, from prepare(): the questions its validation asked of the database (answered
  // "exists" for relations, "free" for the id), the values to insert (hashes in place) and
  // the statements the job runs. Never changed by execute(), which may run more than once.
  PrefetchedLookup recorded_lookup_;
  boost::json::object create_values_;
  std::optional<Statement> create_check_;
  Statement insert_;
  // The create's outbox row (OutboxPort::row_before_job): serialized before the job when the
  // outbox wants the event, so the job only binds it; else pointing at create_values_.
  std::optional<OutboxRow> create_outbox_row_;

  // Set by execute(), overwritten when it runs again. A create that inserted prepare()'s
  // values sets only the flag: finish() moves them into values_ and makes the event.
  boost::json::object values_;
  std::vector<RecordEvent> events_;
  bool inserted_as_prepared_ = false;

  // Files. `staged_` are the keys prepare() stored (owned by this operation until finish()
  // or discard() settles them); `dropped_*` are set by execute(), overwritten when it reruns.
  std::vector<std::string> staged_;
  std::vector<std::string> dropped_keys_;
  std::vector<std::string> dropped_prefixes_;
};

}  // namespace basalt::records
