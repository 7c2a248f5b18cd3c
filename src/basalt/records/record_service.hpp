// RecordService: the records of every collection, as every transport sees them (docs/records.md).
// REST handlers, GraphQL and realtime call these functions with a Caller and typed arguments;
// rules, validation, password handling, cascades and events all live here, never in a handler.
//
// Rules (docs/records.md, "Rules and statuses"): a null rule locks the operation to superusers
// (403); a non-empty rule must hold - unmet it hides records from a list (200), answers 404 for
// view/update/delete and 400 for create. Superusers bypass every rule. The create rule sees the
// record as inserted (checked in the write job after the INSERT, rolled back when it fails); the
// update and delete rules see the stored row and `@request.body`.
//
// Writes: each create/update/delete is ONE write job: rule check, validation (with relation
// existence read in the same transaction), the row, cascades. Password hashing and old-password
// checks run on the PasswordPort before the job (the writer thread never hashes); the job then
// makes sure the stored hash it was checked against did not change meanwhile.
//
// Events: after the commit, one RecordEvent per changed record on the EventBus.
//
// Reads (docs/security.md, "Request limits"): a list's page and count statements, and
// back-relation expands, run on the database's read pool; a view by id, forward expands and
// email-visibility checks run inline on the I/O thread. Non-superusers' statements get the
// shorter user budget. A list's total comes from the CountCache while no commit wrote a table
// its COUNT reads.
//
// Thread safety: every member may be called concurrently from any I/O thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/collections/collection_service.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/records/count_cache.hpp"
#include "basalt/records/event_bus.hpp"
#include "basalt/records/expand.hpp"
#include "basalt/records/file_store.hpp"
#include "basalt/records/hook_port.hpp"
#include "basalt/records/mfa_row.hpp"
#include "basalt/records/outbox_port.hpp"
#include "basalt/records/password_port.hpp"
#include "basalt/records/record.hpp"

namespace basalt::records {

inline constexpr std::int64_t kDefaultPerPage = 30;
inline constexpr std::int64_t kMaxPerPage = 1000;
inline constexpr std::int64_t kMaxPage = 1'000'000'000;  // keeps (page - 1) * perPage in range

struct ListOptions {
  std::int64_t page = 1;                    // <= 0 means 1
  std::int64_t per_page = kDefaultPerPage;  // <= 0 means the default; capped at kMaxPerPage
  std::string filter;
  std::string sort;
  bool skip_total = false;
  std::string expand;
};

// A write: the submitted body (JSON, or decoded form data) and the files uploaded with it
// (docs/files.md). Movable, not copyable: the uploads own temporary files.
struct WriteInput {
  boost::json::object body;
  std::vector<Upload> uploads;
  std::string expand;
  // A create only, set by a service flow, never from a client's body: stored values (e.g.
  // OAuth2's `verified`) put into the record after the body passed the caller's rule and
  // validation, as the flow's own write in the same transaction would (PocketBase saves the
  // created record again inside its transaction). The create rule does not see them.
  boost::json::object system_values;
};

enum class WriteKind { kCreate, kUpdate, kUpsert, kDelete };

// One sub-request of a batch (docs/records.md, "Batch"). An upsert updates the record whose id its
// body names when that record exists, and creates one otherwise.
struct BatchOperation {
  WriteKind kind = WriteKind::kCreate;
  std::string collection;
  std::string id;  // update and delete
  WriteInput input;
  query::RequestInfo request;
  // The operation's own caller instead of the batch's, for a service flow whose writes mix
  // the request's caller and its own superuser writes in one transaction (OAuth2 sign-in).
  // Borrowed; null for a client's batch.
  const Caller* caller = nullptr;
};

// The outcome of one batch sub-request: 200 with the record, or 204 (delete) without.
struct BatchOutcome {
  int status = 200;
  RecordResult result;
};

// A batch failed at sub-request `index` with `error`; nothing of the batch was stored.
class BatchError : public std::exception {
 public:
  BatchError(std::size_t index, core::ApiError error) : index_(index), error_(std::move(error)) {}
  std::size_t index() const noexcept { return index_; }
  const core::ApiError& error() const noexcept { return error_; }
  const char* what() const noexcept override { return error_.what(); }

 private:
  std::size_t index_;
  core::ApiError error_;
};

// A stored file a caller may be served (RecordService::file_access). `collection` and `field`
// live in `catalog`.
struct FileAccess {
  std::shared_ptr<const collections::Catalog> catalog;
  const schema::Collection* collection = nullptr;
  const schema::Field* field = nullptr;  // the file field whose value holds the name
  std::string record_id;
  // Where the file is stored: the same collection and record, except for a view collection,
  // whose files are its source collection's record's (docs/files.md, "Serving").
  std::string files_collection_id;
  std::string files_record_id;
};

// What note_auth_origin found (docs/auth-flows.md, "Sign-in alerts").
struct AuthOriginNote {
  bool first_sign_in = false;  // the record had no origin at all before this one
  bool new_origin = false;     // this fingerprint was not among the record's origins
};

// The origins kept per auth record (PocketBase's maxAuthOrigins).
inline constexpr std::size_t kMaxAuthOrigins = 5;

class RecordService {
 public:
  // `clock`: `@now` of rules and filters, the autodate fields (created/updated) and the batch
  // timeout. `user_budget`: the statement budget of the reads of guests and non-superuser auth
  // records (db-user-statement-timeout); zero gives them the database's own.
  RecordService(db::Database& database, collections::CollectionService& collections,
                query::PlanCache& plans, const PasswordPort& passwords, EventBus& events,
                const core::Clock& clock,
                std::chrono::milliseconds user_budget = std::chrono::milliseconds::zero(),
                ExpandLimits expand_limits = {});

  // The storage of file fields (docs/files.md). Without it an upload is a field error
  // (validation_file_storage_unavailable) and no file is ever removed. Set once, before the
  // service is shared between threads; `files` must outlive the service.
  void set_file_store(const FileStore* files) noexcept { files_ = files; }
  const FileStore* file_store() const noexcept { return files_; }
  // The transactional outbox (docs/events.md): every write job that changes records appends
  // the rows of the events it wants, in the job. Set once, before the service is shared
  // between threads; `outbox` must outlive the service. Without it nothing is appended.
  void set_outbox(OutboxPort* outbox) noexcept { outbox_ = outbox; }

  // Server-side scripts' hooks (hook_port.hpp, docs/hooks.md); null (the default): none. Set
  // once, before the service is shared between threads; must outlive the service.
  void set_hooks(HookPort* hooks) noexcept { hooks_ = hooks; }

  // `request` carries what `@request.*` reads besides auth and body (context, method,
  // headers, query); the service fills in auth and body itself.
  boost::asio::awaitable<RecordPage> list(const Caller& caller, std::string_view collection,
                                          ListOptions options, query::RequestInfo request);
  boost::asio::awaitable<RecordResult> view(const Caller& caller, std::string_view collection,
                                            std::string_view id, std::string expand,
                                            query::RequestInfo request);
  boost::asio::awaitable<RecordResult> create(const Caller& caller, std::string_view collection,
                                              WriteInput input, query::RequestInfo request);
  boost::asio::awaitable<RecordResult> update(const Caller& caller, std::string_view collection,
                                              std::string_view id, WriteInput input,
                                              query::RequestInfo request);
  boost::asio::awaitable<void> remove(const Caller& caller, std::string_view collection,
                                      std::string_view id, query::RequestInfo request);

  // Deletes every record of a base or auth collection, with the cascades of each delete, in one
  // transaction. Superusers only.
  boost::asio::awaitable<void> truncate(const Caller& caller, std::string_view collection);

  // Runs every operation, in order, in ONE transaction with full rule checks for `caller` (or
  // an operation's own BatchOperation::caller); all or nothing. Past `timeout` (measured from the
  // call) the batch fails at the operation that ran over. Throws BatchError. Its work before and
  // after the write job gives the calling thread back to its other requests every
  // kOperationsPerTurn operations, so a batch of a thousand never holds one worker (and its other
  // clients) for all of its work at once.
  static constexpr std::size_t kOperationsPerTurn = 32;
  boost::asio::awaitable<std::vector<BatchOutcome>> batch(const Caller& caller,
                                                          std::vector<BatchOperation> operations,
                                                          std::chrono::milliseconds timeout);

  // For the auth flows only (auth_records.cpp); no rules, no validation.
  //
  // The auth record of `collection` that `identity` names through the first of `fields` that
  // matches it, compared ignoring ASCII case (an exact match wins among case variants; several
  // variants without one name nobody). Every field, stored form.
  boost::asio::awaitable<std::optional<boost::json::object>> find_auth_record(
      const schema::Collection& collection, std::span<const std::string> fields,
      std::string_view identity);
  // The id of the auth record of collection `collection_id` that the OAuth2 user `provider_id`
  // of `provider` is linked to (_externalAuths), or nullopt (external_auths.cpp).
  boost::asio::awaitable<std::optional<std::string>> find_external_auth(
      std::string_view collection_id, std::string_view provider, std::string_view provider_id);
  // Replaces the password hash of auth record `id` with `new_hash` (a rehash of the same
  // password: tokenKey and `updated` stay), in one write job, and publishes its RecordUpdated
  // event. Only while the stored hash is still `checked_hash`: a password changed since it was
  // checked is kept. True when the record was updated.
  boost::asio::awaitable<bool> replace_password_hash(const schema::Collection& collection,
                                                     std::string_view id,
                                                     std::string_view checked_hash,
                                                     std::string new_hash);

  // The auth record `id` of `collection` (exact, by primary key), every field, stored form; for
  // the auth flows that know the id (auth_record_by_id.cpp). No rules.
  boost::asio::awaitable<std::optional<boost::json::object>> find_auth_record_by_id(
      const schema::Collection& collection, std::string id);

  // For the MFA gate only (mfa_rows.cpp, auth/mfa_gate.hpp): the rows of `_mfas`, each write
  // one job with its RecordEvent; no rules. create_mfa stamps `created` with the service's clock.
  boost::asio::awaitable<MfaRow> create_mfa(std::string collection_ref, std::string record_ref,
                                            std::string method);
  boost::asio::awaitable<std::optional<MfaRow>> find_mfa(std::string id);
  // Deleting a row that is already gone is not an error (two sign-ins may finish one session).
  boost::asio::awaitable<void> delete_mfa(std::string id);

  // For the sign-in alerts only (auth_origins.cpp, accounts/auth_alerts.hpp): records that
  // auth record `record_ref` of collection `collection_ref` signed in from the device
  // `fingerprint`, in ONE write job, as PocketBase's authAlert does: a known fingerprint gets a
  // new `updated`; a new one is inserted, after the oldest (by `created`) of the record's
  // origins are deleted so that at most kMaxAuthOrigins remain. A RecordEvent per changed row.
  boost::asio::awaitable<AuthOriginNote> note_auth_origin(std::string collection_ref,
                                                          std::string record_ref,
                                                          std::string fingerprint);

  // For the sweep of expired sign-in rows only (expired_auth_rows.hpp): reads at most
  // `page_size` rows of `table` (`_otps` or `_mfas`) of auth collection `collection_ref`
  // older than `lifetime` by the service's clock (a read connection), then deletes those in
  // ONE write job - each only if it is still there and still expired - with a RecordEvent per
  // deleted row. No rules.
  struct ExpiredPage {
    std::size_t read = 0;     // rows the page read (page_size: there may be more)
    std::size_t deleted = 0;  // of those, deleted by this job
  };
  boost::asio::awaitable<ExpiredPage> delete_expired_page(std::string table,
                                                          std::string collection_ref,
                                                          std::chrono::seconds lifetime,
                                                          std::size_t page_size);

  // For realtime delivery (realtime_record.cpp, docs/realtime.md). What `caller` receives of
  // `event`'s record through one subscription, or nullopt when nothing: the collection's
  // current viewRule (`view_rule`) or listRule (superusers bypass; null: nothing), then the
  // subscription's `filter`, both checked against the record as the event carries it (a deleted
  // record as it was) - in memory when the plans need no join, else with one statement on the
  // read pool over the record as a virtual row; then `expand` and email visibility as a view
  // gets them. `request` carries the subscription's query and headers. A deleted collection
  // gives nullopt; a filter the caller may not use throws as in a list.
  boost::asio::awaitable<std::optional<RecordResult>> realtime_record(
      const Caller& caller, const RecordEvent& event, bool view_rule, std::string filter,
      std::string expand, query::RequestInfo request);
  // Refuses what realtime_record would refuse in a subscription's options before it is stored:
  // a `filter` that does not parse or resolve for `collection` or is priced past the client
  // bound (400, as in a list) or that a non-superuser may not use (403), an `expand` past its
  // length (400). Returns the id and `created` time of `collection` (an id or name) - together
  // they tell it from a later collection of the same name, whose id is the same - or two empty
  // strings when no collection has it: as in PocketBase such a subscription is kept and
  // matches nothing.
  std::pair<std::string, std::string> check_realtime_options(const Caller& caller,
                                                             std::string_view collection,
                                                             std::string_view filter,
                                                             std::string_view expand);

  // For serving a stored file (file_access.cpp, docs/files.md "Serving"): the record `id` of
  // `collection` (id or name) and its file field that holds `filename`. No rule applies to a
  // public field; for a protected one the collection's viewRule must hold for `viewer` (the
  // record of a file token, or a guest; superusers pass), with `@request.context`
  // "protectedFile". A view's file is stored under the record of the collection its field is
  // read from (FileAccess::files_*). Every miss - collection, record, name, rule, a view's
  // source - is the same 404, so a caller learns nothing of what exists.
  boost::asio::awaitable<FileAccess> file_access(const Caller& viewer, std::string_view collection,
                                                 std::string_view id, std::string_view filename,
                                                 query::RequestInfo request);

  EventBus& events() noexcept { return events_; }

 private:
  // One create/update/delete through a WriteOperation in its own write job.
  boost::asio::awaitable<RecordResult> write_one(const Caller& caller, WriteKind kind,
                                                 std::string_view collection, std::string id,
                                                 WriteInput input, query::RequestInfo request);

  db::Database& database_;
  collections::CollectionService& collections_;
  query::PlanCache& plans_;
  const PasswordPort& passwords_;
  EventBus& events_;
  const core::Clock& clock_;
  std::chrono::milliseconds user_budget_;
  ExpandLimits expand_limits_;
  CountCache counts_;  // list totals, shared by every I/O thread (count_cache.hpp)
  const FileStore* files_ = nullptr;
  OutboxPort* outbox_ = nullptr;
  HookPort* hooks_ = nullptr;
};

}  // namespace basalt::records
