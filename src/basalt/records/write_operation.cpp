#include "basalt/records/write_operation.hpp"
#include "basalt/schema/system_collections.hpp"

#include <spdlog/spdlog.h>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/records/body_keys.hpp"
#include "basalt/records/cascade.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/relation_lookup.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/records/upload_staging.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/file_limits.hpp"
#include "basalt/schema/record_validator.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

constexpr std::string_view kCreateFailed = "Failed to create record.";
constexpr std::string_view kUpdateFailed = "Failed to update record.";
constexpr std::string_view kOldPasswordKey = "oldPassword";

// Whether the body touches a password: only then is the (slow) password work done up front.
bool touches_passwords(const schema::Collection& collection, const json::object& body) {
  for (const auto& entry : body) {
    if (entry.key() == kOldPasswordKey) return true;
    const schema::Field* field = collection.field_by_name(body_field_name(entry.key()));
    if (field && field->type() == schema::FieldType::kPassword) return true;
  }
  return false;
}

// The password work of a body that passed the request-only checks: hashing each new plaintext
// and checking a submitted oldPassword against `stored_hash`.
boost::asio::awaitable<PasswordWork> prepare_passwords(const PasswordPort& passwords,
                                                       std::string_view client,
                                                       const schema::RecordValues& record,
                                                       const std::string* stored_hash) {
  PasswordWork work;
  for (const auto& password : record.new_passwords) {
    if (!work.hashes.contains(password.plaintext)) {
      work.hashes[password.plaintext] = co_await passwords.hash(password.plaintext, client);
    }
  }
  if (record.old_password_to_verify && stored_hash) {
    work.old_checked = true;
    work.old_hash = *stored_hash;
    work.old_matches =
        co_await passwords.verify(*record.old_password_to_verify, *stored_hash, client);
  }
  co_return work;
}

schema::AccessLevel base_access(const Caller& caller) {
  return caller.is_superuser() ? schema::AccessLevel::kSuperuser : schema::AccessLevel::kDefault;
}

const schema::Rule& rule_of(const schema::Collection& collection, WriteKind kind) {
  switch (kind) {
    case WriteKind::kCreate:
      return collection.create_rule;
    case WriteKind::kUpdate:
      return collection.update_rule;
    case WriteKind::kDelete:
    case WriteKind::kUpsert:
      break;
  }
  return collection.delete_rule;
}

}  // namespace

WriteOperation::WriteOperation(const WriteParts& parts, const Caller& caller,
                               std::shared_ptr<const collections::Catalog> catalog, WriteKind kind,
                               std::string_view collection, std::string id, WriteInput input,
                               query::RequestInfo request)
    : parts_(parts),
      caller_(caller),
      catalog_(std::move(catalog)),
      kind_(kind),
      id_(std::move(id)),
      input_(std::move(input)),
      request_(std::move(request)) {
  collection_ = &support::find_collection(*catalog_, collection);
}

std::string WriteOperation::select_by_id_sql() const {
  const db::Dialect& dialect = parts_.database.dialect();
  return select_sql(*collection_, dialect) + " WHERE " +
         dialect.quote_identifier(schema::kFieldId) + " = " + dialect.placeholder(1) + " LIMIT 1";
}

boost::asio::awaitable<void> WriteOperation::prepare() {
  const schema::Collection& collection = *collection_;
  support::require_writable(collection);
  access_.emplace(*catalog_, caller_, parts_.plans, parts_.database.dialect(), parts_.clock.now());
  request_.auth = access_->auth_info();
  now_ = schema::format_datetime(access_->now());
  expand_ = parse_expand(input_.expand);

  std::optional<json::object> stored;
  if (kind_ == WriteKind::kUpsert || kind_ == WriteKind::kUpdate) {
    if (kind_ == WriteKind::kUpsert) {
      const json::value* id = input_.body.if_contains(schema::kFieldId);
      id_ = id && id->is_string() ? std::string(id->get_string()) : std::string();
    }
    if (!id_.empty()) {
      db::ResultSet rows = co_await parts_.database.query(select_by_id_sql(), id_);
      if (!rows.empty()) stored = decode_row(collection, rows[0]);
    }
    // An upsert is an update of the record its body names when it exists, a create otherwise.
    if (kind_ == WriteKind::kUpsert) kind_ = stored ? WriteKind::kUpdate : WriteKind::kCreate;
  }
  support::require_unlocked(caller_, rule_of(collection, kind_));
  conditions_ = support::rule_conditions(*access_, collection, rule_of(collection, kind_));
  const auto& manage_rule = collection.auth.manage_rule;
  if (kind_ == WriteKind::kUpdate && collection.is_auth() && !caller_.is_superuser() &&
      !caller_.is_guest() && manage_rule && !manage_rule->empty()) {
    manage_.push_back(access_->rule(collection, *manage_rule));
  }
  co_await run_before_hook(stored ? &*stored : nullptr);
  if (kind_ == WriteKind::kDelete) co_return;  // a delete's uploads are ignored (and deleted)
  co_await attach_files();
  // An update of a row that is not there (yet: an earlier operation of the same batch may
  // create it) is left to the job, which 404s or validates it against the row it finds.
  if (!(kind_ == WriteKind::kUpdate && !stored))
    co_await check_request(stored ? &*stored : nullptr);
  // Last: only a body that passed every check above gets its files stored.
  const std::string record_id = kind_ == WriteKind::kCreate
                                    ? std::string(create_values_.at(schema::kFieldId).get_string())
                                    : id_;
  co_await store_files(record_id);
}

boost::asio::awaitable<void> WriteOperation::run_before_hook(const json::object* stored) {
  if (!parts_.hooks || caller_.script) co_return;
  const HookEvent event = kind_ == WriteKind::kCreate   ? HookEvent::kBeforeCreate
                          : kind_ == WriteKind::kUpdate ? HookEvent::kBeforeUpdate
                                                        : HookEvent::kBeforeDelete;
  if (!parts_.hooks->wants(event, collection_->name)) co_return;
  if (kind_ == WriteKind::kDelete) {
    // A delete's hook sees the id; its record object is a scratch copy the write ignores.
    json::object scratch{{std::string(schema::kFieldId), id_}};
    co_await parts_.hooks->before_write(
        event, WriteHookContext{*collection_, caller_, id_, scratch, stored, request_});
  } else {
    co_await parts_.hooks->before_write(
        event, WriteHookContext{*collection_, caller_, id_, input_.body, stored, request_});
  }
}

boost::asio::awaitable<void> WriteOperation::run_after_hook(HookEvent event, json::object& values) {
  if (!parts_.hooks || caller_.script || !parts_.hooks->wants(event, collection_->name)) co_return;
  const json::value* id = values.if_contains(schema::kFieldId);
  const std::string record_id = id && id->is_string() ? std::string(id->get_string()) : id_;
  const WriteHookContext context{*collection_, caller_, record_id, values, nullptr, request_};
  co_await parts_.hooks->after_write(event, context);
}

WriteOperation::~WriteOperation() {
  // Abandoned between prepare() and finish()/discard(): its coroutine was destroyed at
  // shutdown, possibly after the job committed (its completion never ran). Whether a record
  // names these files is unknown here, so they are left to the next start's sweep, which
  // removes exactly the ones no record names.
  if (!staged_.empty()) {
    spdlog::info("files: {} stored files of an unfinished write left to the startup sweep",
                 staged_.size());
  }
}

boost::asio::awaitable<void> WriteOperation::attach_files() {
  const schema::Collection& collection = *collection_;
  strip_client_uploads(collection, input_.body);
  if (input_.uploads.empty()) co_return;
  schema::ValidationErrors errors;
  check_upload_parts(collection, input_.uploads, errors);
  if (errors.empty() && !parts_.files) {
    for (const Upload& upload : input_.uploads) {
      errors.add({upload.part},
                 schema::make_error("validation_file_storage_unavailable",
                                    "File uploads are not supported by this server."));
    }
  }
  if (!errors.empty()) {
    throw errors.to_api_error(
        std::string(kind_ == WriteKind::kCreate ? kCreateFailed : kUpdateFailed));
  }
  std::vector<InspectedUpload> inspected = co_await parts_.files->inspect(input_.uploads);
  attach_uploads(input_.body, input_.uploads, inspected);
}

boost::asio::awaitable<void> WriteOperation::store_files(std::string_view record_id) {
  if (input_.uploads.empty()) co_return;
  // Every kept upload, including one the final value may not take (a second file for a
  // single-file field): what the record does not name is removed after the commit.
  std::vector<FileStore::Put> items;
  for (const auto& entry : input_.body) {
    if (!body_field_name(entry.key()).empty() && entry.value().is_array()) {
      for (const auto& item : entry.value().get_array()) {
        const auto* upload = item.if_object();
        if (!upload) continue;
        const auto index = static_cast<std::size_t>(upload->at(schema::kUploadMarker).as_int64());
        Upload& source = input_.uploads.at(index);
        if (!source.kept || !source.file) continue;
        items.push_back({files::file_key(collection_->id, record_id,
                                         upload->at(schema::kUploadName).get_string()),
                         &source.file,
                         std::string(upload->at(schema::kUploadMimeType).get_string())});
      }
    }
  }
  std::vector<std::string> keys;
  for (const auto& item : items) keys.push_back(item.key);
  co_await parts_.files->put(std::move(items));
  staged_ = std::move(keys);
}

void WriteOperation::note_dropped_files(const json::object& stored, const json::object& values) {
  if (!parts_.files) return;
  const std::vector<std::string> kept = stored_file_names(*collection_, values);
  for (const std::string& name : stored_file_names(*collection_, stored)) {
    if (std::find(kept.begin(), kept.end(), name) != kept.end()) continue;
    dropped_keys_.push_back(files::file_key(collection_->id, id_, name));
    dropped_prefixes_.push_back(files::thumbs_prefix(collection_->id, id_, name));
  }
}

boost::asio::awaitable<void> WriteOperation::remove_dropped_files() {
  if (!parts_.files) co_return;
  std::vector<std::string> keys = std::move(dropped_keys_);
  std::vector<std::string> prefixes = std::move(dropped_prefixes_);
  // Every record the job deleted, cascades included, takes its directory (thumbnails too).
  for (std::string& dir : deleted_record_dirs(*catalog_, events_))
    prefixes.push_back(std::move(dir));
  // Stored by prepare() but not named by the record as committed.
  if (!staged_.empty()) {
    const std::vector<std::string> named = stored_file_names(*collection_, values_);
    for (const std::string& key : staged_) {
      const std::string_view name = std::string_view(key).substr(key.rfind('/') + 1);
      if (std::find(named.begin(), named.end(), name) == named.end()) keys.push_back(key);
    }
    staged_.clear();
  }
  co_await parts_.files->remove(std::move(keys), std::move(prefixes));
}

boost::asio::awaitable<void> WriteOperation::discard() {
  if (staged_.empty() || !parts_.files) co_return;
  std::vector<std::string> keys = std::move(staged_);
  staged_.clear();
  std::vector<std::string> no_prefixes;
  co_await parts_.files->remove(std::move(keys), std::move(no_prefixes));
}

boost::asio::awaitable<void> WriteOperation::check_request(const json::object* stored) {
  // Everything that depends only on the request (and the stored row it updates) is checked
  // here, on the caller's thread, so that the single writer never spends time on a body it
  // would refuse: shapes, lengths, patterns, ranges, maxSelect (capped while normalising) and
  // the auth form. The write job then runs the same validation again against the row as it is
  // there, with the existence checks that need the database, over a body known to be bounded.
  //
  // A possible manager is checked as one (its auth-form errors are a subset of a plain
  // caller's); values do not depend on the level, only errors do.
  const schema::Collection& collection = *collection_;
  const schema::AccessLevel level =
      manage_.empty() ? base_access(caller_) : schema::AccessLevel::kManager;
  const bool create = kind_ == WriteKind::kCreate;
  // A create's existence questions are recorded (and assumed answered as a valid record needs)
  // for the job to ask; its values here are then final, the id included.
  const schema::RecordInput input{collection, input_.body, stored,
                                  level,      now_,        create ? &recorded_lookup_ : nullptr};
  schema::RecordValidation checked = schema::validate_record(input);
  // Rules and the row see stored names, never upload objects.
  replace_uploads_with_names(collection, checked.record.values);
  schema::ValidationErrors errors = checked.errors;
  const bool hashing = touches_passwords(collection, input_.body);
  // As PocketBase, the rule comes before validation: a caller it refuses learns nothing from
  // validation errors, and spends no hashing. Checked here on a read connection, and again in
  // the write job, which is what counts.
  if ((!errors.empty() || hashing) && !conditions_.empty()) {
    co_await require_rule_on_read(checked.record.values);
  }
  if (!errors.empty())
    throw errors.to_api_error(std::string(create ? kCreateFailed : kUpdateFailed));
  // The rule sees the record as validation made it before hashing, as on a read connection.
  if (create && !conditions_.empty()) create_check_ = create_rule_check(checked.record.values);
  // Hashing comes last: only a request that passed everything above gets to spend it.
  if (create && hashing) {
    passwords_ = co_await prepare_passwords(parts_.passwords, caller_.client_address,
                                            checked.record, nullptr);
  }
  if (create) {
    create_values_ = std::move(checked.record.values);
    for (const auto& password : checked.record.new_passwords) {
      create_values_[password.field] = passwords_.hashes.at(password.plaintext);
    }
    for (const auto& entry : input_.system_values) create_values_[entry.key()] = entry.value();
    prepare_insert();
  }
  if (!hashing || create) co_return;
  // The job re-reads the row and refuses an oldPassword that was checked against a hash that
  // has changed since. Managers skip oldPassword; the plain caller's level decides whether it
  // is checked, so that it is whenever it may be needed.
  if (level != base_access(caller_)) {
    const schema::RecordInput plain{collection,           input_.body, stored,
                                    base_access(caller_), now_,        nullptr};
    checked = schema::validate_record(plain);
  }
  const json::value* hash = stored->if_contains(schema::kFieldPassword);
  const std::string stored_hash =
      hash && hash->is_string() ? std::string(hash->get_string()) : std::string();
  passwords_ = co_await prepare_passwords(parts_.passwords, caller_.client_address, checked.record,
                                          &stored_hash);
}

boost::asio::awaitable<void> WriteOperation::require_rule_on_read(const json::object& values) {
  if (kind_ == WriteKind::kCreate) {
    const Statement check = create_rule_check(values);
    db::ResultSet rows = co_await parts_.database.query(check.sql, check.params);
    if (rows.empty()) throw core::ApiError::bad_request(std::string(kCreateFailed));
  } else {
    const Statement check = update_rule_check(values);
    db::ResultSet rows = co_await parts_.database.query(check.sql, check.params);
    if (rows.empty()) throw core::ApiError::not_found();
  }
}

boost::asio::awaitable<json::object> WriteOperation::validate(db::Transaction& tx,
                                                              const json::object* stored,
                                                              schema::AccessLevel level,
                                                              std::string_view failure,
                                                              PrefetchedLookup* answered) {
  PrefetchedLookup fresh;
  PrefetchedLookup& lookup = answered ? *answered : fresh;
  const schema::RecordInput input{*collection_, input_.body, stored, level, now_, &lookup};
  schema::RecordValidation validation = schema::validate_record(input);
  if (!answered && lookup.asked_anything()) {
    co_await lookup.answer(tx, access_->dialect(), *catalog_);
    validation = schema::validate_record(input);
  }
  schema::ValidationErrors errors = validation.errors;
  if (validation.record.old_password_to_verify) {
    const json::value* current = stored ? stored->if_contains(schema::kFieldPassword) : nullptr;
    const bool same_hash = current && current->is_string() && passwords_.old_checked &&
                           current->get_string() == passwords_.old_hash;
    if (!same_hash || !passwords_.old_matches) {
      errors.add({std::string(kOldPasswordKey)},
                 schema::make_error("validation_invalid_old_password",
                                    "Missing or invalid old password."));
    }
  }
  if (!errors.empty()) throw errors.to_api_error(std::string(failure));
  json::object values = std::move(validation.record.values);
  replace_uploads_with_names(*collection_, values);
  for (const auto& password : validation.record.new_passwords) {
    auto hash = passwords_.hashes.find(password.plaintext);
    // prepare() saw the same body, so every plaintext was hashed there.
    if (hash == passwords_.hashes.end()) throw std::logic_error("password was not prepared");
    values[password.field] = hash->second;
  }
  co_return values;
}

boost::asio::awaitable<void> WriteOperation::execute(db::Transaction& tx) {
  events_.clear();
  inserted_as_prepared_ = false;
  dropped_keys_.clear();
  dropped_prefixes_.clear();
  switch (kind_) {
    case WriteKind::kCreate:
      co_await execute_create(tx);
      break;
    case WriteKind::kUpdate:
      co_await execute_update(tx);
      break;
    case WriteKind::kDelete:
      co_await execute_delete(tx);
      break;
    case WriteKind::kUpsert:
      throw std::logic_error("an upsert is resolved by prepare()");
  }
  // The outbox rows commit with the change (docs/events.md): a create inserted as prepared
  // binds the row prepare() made; every other event is serialized here.
  if (inserted_as_prepared_ && create_outbox_row_) {
    const std::span<const OutboxRow> prepared(&*create_outbox_row_, 1);
    co_await parts_.outbox->append(tx, prepared);
  }
  const std::span<const RecordEvent> happened(events_);
  co_await append_to_outbox(parts_.outbox, tx, happened);
}

void WriteOperation::prepare_insert() {
  insert_.sql = insert_sql(*collection_, access_->dialect());
  insert_.params = insert_params(*collection_, create_values_);
  create_outbox_row_.reset();
  if (parts_.outbox) {
    // Serialized here only when a destination is known to want it; else append() serializes
    // it in the job if one turns out to (create_values_ stays put until finish()).
    create_outbox_row_ = parts_.outbox->row_before_job(RecordAction::kCreate, collection_->id,
                                                       collection_->name, create_values_);
  }
  recorded_lookup_.prepare_confirmation(access_->dialect(), *catalog_);
}

Statement WriteOperation::create_rule_check(const json::object& values) const {
  // As PocketBase: the create rule is checked first, against the record as the submitted data
  // would make it, so a caller who may not create learns nothing from validation (not even
  // which values already exist). The row is virtual: a CTE of its own name that no collection
  // has holds it, and only the record itself is read from there; relations, back-relations and
  // @collection joins — into this collection too — read the real tables, so the submitted row
  // can never stand in for data the rule asks about.
  const schema::Collection& collection = *collection_;
  query::RequestInfo rule_request = request_;
  rule_request.body = rule_body(collection, input_.body, values);
  return matches_virtual_row(*access_, collection, *conditions_.front(), rule_request, values,
                             values.at(schema::kFieldId).get_string(), "__basalt_new_record");
}

Statement WriteOperation::update_rule_check(const json::object& values) const {
  query::RequestInfo rule_request = request_;
  rule_request.body = rule_body(*collection_, input_.body, values);
  return matches_statement(*access_, *conditions_.front(), rule_request, id_);
}

boost::asio::awaitable<void> WriteOperation::require_unique_auth_id(db::Transaction& tx,
                                                                    const json::object& values) {
  // An auth record's id must be unique across every auth collection: a rule such as
  // `owner = @request.auth.id` must not be met by a record of another auth collection that
  // took the same id.
  const db::Dialect& dialect = access_->dialect();
  const std::string id(values.at(schema::kFieldId).get_string());
  for (const auto& other : catalog_->all()) {
    if (!other.is_auth() || other.id == collection_->id) continue;
    const std::string sql = "SELECT 1 FROM " + dialect.quote_identifier(other.name) + " WHERE " +
                            dialect.quote_identifier(schema::kFieldId) + " = " +
                            dialect.placeholder(1) + " LIMIT 1";
    db::ResultSet rows = co_await tx.query(sql, id);
    if (rows.empty()) continue;
    schema::ValidationErrors errors;
    errors.add(
        {std::string(schema::kFieldId)},
        schema::make_error("validation_invalid_auth_id", "Invalid or duplicated auth record id."));
    throw errors.to_api_error(std::string(kCreateFailed));
  }
}

boost::asio::awaitable<void> WriteOperation::execute_create(db::Transaction& tx) {
  // Only statements here: the values as the request makes them do not depend on the
  // database, so prepare() built them, and the statements, once.
  const schema::Collection& collection = *collection_;
  if (create_check_) {
    db::ResultSet rows = co_await tx.query(create_check_->sql, create_check_->params);
    if (rows.empty()) throw core::ApiError::bad_request(std::string(kCreateFailed));
  }
  // The recorded questions, confirmed by statements prepare() built; only when the database
  // answers otherwise does a copy of the lookup (this job may run again) fetch the details.
  bool as_prepared = true;
  if (recorded_lookup_.asked_anything()) {
    as_prepared = co_await recorded_lookup_.confirms_recording(tx);
  }
  PrefetchedLookup lookup;
  if (!as_prepared) {
    lookup = recorded_lookup_;
    co_await lookup.answer(tx, access_->dialect(), *catalog_);
    as_prepared = lookup.answered_as_recorded();
  }
  // A missing relation or a taken id: validation again, with the answers, for the errors.
  // (Not a conditional expression: GCC miscompiles a co_await inside one.)
  json::object validated;
  const json::object* values = &create_values_;
  if (!as_prepared) {
    validated = co_await validate(tx, nullptr, base_access(caller_), kCreateFailed, &lookup);
    for (const auto& entry : input_.system_values) validated[entry.key()] = entry.value();
    values = &validated;
  }
  if (collection.is_auth()) co_await require_unique_auth_id(tx, *values);
  try {
    if (as_prepared) {
      co_await tx.execute(insert_.sql, insert_.params);
    } else {
      co_await tx.execute(insert_.sql, insert_params(collection, validated));
    }
  } catch (const db::ConstraintError& error) {
    throw support::constraint_error(collection, error, std::string(kCreateFailed));
  }
  if (as_prepared) {
    // The record and its event are prepare()'s values: finish() takes them after the commit,
    // so the job copies no JSON.
    inserted_as_prepared_ = true;
    co_return;
  }
  values_ = std::move(validated);
  events_.push_back(RecordEvent{RecordAction::kCreate, collection.id, collection.name, values_});
}

boost::asio::awaitable<void> WriteOperation::execute_update(db::Transaction& tx) {
  const schema::Collection& collection = *collection_;
  db::ResultSet rows = co_await tx.query(select_by_id_sql(), id_);
  if (rows.empty()) throw core::ApiError::not_found();
  const json::object stored = decode_row(collection, rows[0]);
  schema::AccessLevel level = base_access(caller_);
  if (!manage_.empty()) {
    Statement check = matches_statement(*access_, *manage_.front(), request_, id_);
    db::ResultSet managed = co_await tx.query(check.sql, check.params);
    if (!managed.empty()) level = schema::AccessLevel::kManager;
  }
  // The rule runs before validation so that a caller who may not update learns nothing from
  // validation errors (404 first, as PocketBase).
  if (!conditions_.empty()) {
    // Its @request.body has modifier keys resolved against the row as it is now, by a
    // validation without lookups.
    const schema::RecordInput dry{*collection_, input_.body, &stored, level, now_, nullptr};
    json::object dry_values = schema::validate_record(dry).record.values;
    replace_uploads_with_names(*collection_, dry_values);
    const Statement check = update_rule_check(dry_values);
    db::ResultSet matched = co_await tx.query(check.sql, check.params);
    if (matched.empty()) throw core::ApiError::not_found();
  }
  json::object validated = co_await validate(tx, &stored, level, kUpdateFailed);
  try {
    db::Params params = update_params(collection, validated, id_);
    co_await tx.execute(update_sql(collection, access_->dialect()), params);
  } catch (const db::ConstraintError& error) {
    throw support::constraint_error(collection, error, std::string(kUpdateFailed));
  }
  if (collection.is_auth()) co_await end_mfa_sessions_on_new_password(tx, stored, validated);
  note_dropped_files(stored, validated);
  values_ = std::move(validated);
  events_.push_back(RecordEvent{RecordAction::kUpdate, collection.id, collection.name, values_});
}

boost::asio::awaitable<void> WriteOperation::end_mfa_sessions_on_new_password(
    db::Transaction& tx, const json::object& stored, const json::object& updated) {
  // As PocketBase: a new password ends the record's half-finished MFA sign-ins, so a session
  // its old password opened cannot be completed (docs/auth-flows.md, "MFA"), and forgets the
  // devices it signed in from, so the next sign-in anywhere counts as a first one ("Sign-in
  // alerts").
  const json::value* before = stored.if_contains(schema::kFieldPassword);
  const json::value* after = updated.if_contains(schema::kFieldPassword);
  if (!before || !after || *before == *after) co_return;
  const db::Dialect& dialect = access_->dialect();
  for (std::string_view name : {schema::kMfasCollection, schema::kAuthOriginsCollection}) {
    const schema::Collection* owned = catalog_->find(name);
    if (!owned) continue;
    const std::string sql = "DELETE FROM " + dialect.quote_identifier(owned->name) + " WHERE " +
                            dialect.quote_identifier("collectionRef") + " = " +
                            dialect.placeholder(1) + " AND " +
                            dialect.quote_identifier("recordRef") + " = " + dialect.placeholder(2);
    co_await tx.execute(sql, collection_->id, id_);
  }
}

boost::asio::awaitable<void> WriteOperation::execute_delete(db::Transaction& tx) {
  const schema::Collection& collection = *collection_;
  Statement statement =
      select_by_ids(*access_, collection, conditions_, request_, std::span(&id_, 1));
  statement.sql += " LIMIT 1";
  db::ResultSet rows = co_await tx.query(statement.sql, statement.params);
  if (rows.empty()) throw core::ApiError::not_found();
  co_await delete_with_cascades(tx, *catalog_, access_->dialect(), now_, collection,
                                decode_row(collection, rows[0]), events_);
}

boost::asio::awaitable<RecordResult> WriteOperation::finish() {
  if (inserted_as_prepared_) {
    values_ = std::move(create_values_);
    events_.push_back(
        RecordEvent{RecordAction::kCreate, collection_->id, collection_->name, values_});
  }
  co_await remove_dropped_files();
  support::publish_all(parts_.events, events_);
  RecordResult result;
  result.catalog = catalog_;
  if (kind_ == WriteKind::kDelete) {
    json::object deleted{{std::string(schema::kFieldId), id_}};
    co_await run_after_hook(HookEvent::kAfterDelete, deleted);
    co_return result;
  }
  co_await run_after_hook(
      kind_ == WriteKind::kCreate ? HookEvent::kAfterCreate : HookEvent::kAfterUpdate, values_);
  // Not an initializer list: its elements are copied, the whole record with them.
  std::vector<Record> records;
  records.push_back(Record{collection_, std::move(values_), {}, false});
  co_await expand_records(parts_.database, *access_, request_, expand_, parts_.expand_limits,
                          records);
  co_await support::resolve_email_visibility(parts_.database, *access_, request_, records);
  result.record = std::move(records.front());
  co_return result;
}

}  // namespace basalt::records
