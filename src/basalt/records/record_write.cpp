// RecordService::create and ::update (see record_service.hpp for the flow).
#include <map>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/records/expand.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/records/relation_lookup.hpp"
#include "basalt/records/service_support.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/record_validator.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;

constexpr std::string_view kCreateFailed = "Failed to create record.";
constexpr std::string_view kUpdateFailed = "Failed to update record.";
constexpr std::string_view kOldPasswordKey = "oldPassword";

// A body key without its modifier: "+tags" / "tags+" / "tags-" / "slug:autogenerate" -> name.
std::string_view field_key(std::string_view key) {
  if (auto colon = key.find(':'); colon != std::string_view::npos) key = key.substr(0, colon);
  if (!key.empty() && key.front() == '+') key.remove_prefix(1);
  if (!key.empty() && (key.back() == '+' || key.back() == '-')) key.remove_suffix(1);
  return key;
}

// Whether the body touches a password: only then is the (slow) password work done up front.
bool touches_passwords(const schema::Collection& collection, const json::object& body) {
  for (const auto& entry : body) {
    if (entry.key() == kOldPasswordKey) return true;
    const schema::Field* field = collection.field_by_name(field_key(entry.key()));
    if (field && field->type() == schema::FieldType::kPassword) return true;
  }
  return false;
}

// `@request.body` as rules see it: the submitted keys, with modifier keys replaced by the
// field's resulting value under the plain field name.
json::object rule_body(const schema::Collection& collection, const json::object& body,
                       const json::object& values) {
  json::object out;
  for (const auto& entry : body) {
    const std::string_view name = field_key(entry.key());
    const schema::Field* field = collection.field_by_name(name);
    if (field && name != entry.key() && field->type() != schema::FieldType::kPassword) {
      if (const json::value* value = values.if_contains(name)) out[name] = *value;
    } else {
      out[entry.key()] = entry.value();
    }
  }
  return out;
}

// File parts are stored from M1.8 on; until then each is reported on its field.
void reject_file_parts(const schema::Collection& collection, const std::vector<std::string>& parts,
                       schema::ValidationErrors& errors) {
  for (const auto& part : parts) {
    const std::string_view name = field_key(part);
    const schema::Field* field = collection.field_by_name(name);
    if (!field || field->type() != schema::FieldType::kFile) continue;
    errors.add({std::string(name)},
               schema::make_error("validation_file_storage_unavailable",
                                  "File uploads are not supported by this server yet."));
  }
}

// The password work done before the write job, on the PasswordPort.
struct PasswordWork {
  std::map<std::string, std::string, std::less<>> hashes;  // plaintext -> new hash
  bool old_checked = false;  // an oldPassword was verified against `old_hash`
  bool old_matches = false;
  std::string old_hash;  // the stored hash it was verified against
};

boost::asio::awaitable<PasswordWork> prepare_passwords(const PasswordPort& passwords,
                                                       const schema::RecordInput& input,
                                                       const std::string* stored_hash) {
  PasswordWork work;
  schema::RecordValidation dry = schema::validate_record(input);
  for (const auto& password : dry.record.new_passwords) {
    if (!work.hashes.contains(password.plaintext)) {
      work.hashes[password.plaintext] = co_await passwords.hash(password.plaintext);
    }
  }
  if (dry.record.old_password_to_verify && stored_hash) {
    work.old_checked = true;
    work.old_hash = *stored_hash;
    work.old_matches = co_await passwords.verify(*dry.record.old_password_to_verify, *stored_hash);
  }
  co_return work;
}

// Validates in the write job: both lookup passes (relation_lookup.hpp), file parts, the
// password hand-off. Returns the values to store or throws the 400 with every error.
boost::asio::awaitable<json::object> validate_in_job(db::Transaction& tx, const Access& access,
                                                     const schema::RecordInput& base_input,
                                                     const std::vector<std::string>& file_parts,
                                                     const PasswordWork& passwords,
                                                     const json::object* stored,
                                                     std::string_view failure) {
  PrefetchedLookup lookup;
  schema::RecordInput input = base_input;
  input.lookup = &lookup;
  schema::RecordValidation validation = schema::validate_record(input);
  if (lookup.asked_anything()) {
    co_await lookup.answer(tx, access.dialect(), access.catalog());
    validation = schema::validate_record(input);
  }
  schema::ValidationErrors errors = validation.errors;
  reject_file_parts(input.collection, file_parts, errors);
  if (validation.record.old_password_to_verify) {
    const json::value* current = stored ? stored->if_contains(schema::kFieldPassword) : nullptr;
    const bool same_hash = current && current->is_string() && passwords.old_checked &&
                           current->get_string() == passwords.old_hash;
    if (!same_hash || !passwords.old_matches) {
      errors.add({std::string(kOldPasswordKey)},
                 schema::make_error("validation_invalid_old_password",
                                    "Missing or invalid old password."));
    }
  }
  if (!errors.empty()) throw errors.to_api_error(std::string(failure));
  json::object values = std::move(validation.record.values);
  for (const auto& password : validation.record.new_passwords) {
    auto hash = passwords.hashes.find(password.plaintext);
    // prepare_passwords saw the same body, so every plaintext was hashed there.
    if (hash == passwords.hashes.end()) throw std::logic_error("password was not prepared");
    values[password.field] = hash->second;
  }
  co_return values;
}

schema::AccessLevel base_access(const Caller& caller) {
  return caller.is_superuser() ? schema::AccessLevel::kSuperuser : schema::AccessLevel::kDefault;
}

}  // namespace

boost::asio::awaitable<RecordResult> RecordService::create(const Caller& caller,
                                                           std::string_view collection_name,
                                                           WriteInput input,
                                                           query::RequestInfo request) {
  RecordResult result;
  result.catalog = collections_.catalog();
  const schema::Collection& collection = support::find_collection(*result.catalog, collection_name);
  support::require_writable(collection);
  support::require_unlocked(caller, collection.create_rule);
  Access access(*result.catalog, caller, plans_, database_.dialect(), Clock::now());
  request.auth = access.auth_info();
  const ExpandTree tree = parse_expand(input.expand);
  std::vector<query::PlanPtr> conditions =
      support::rule_conditions(access, collection, collection.create_rule);
  const std::string now = schema::format_datetime(access.now());
  const schema::RecordInput record_input{collection,          input.body, nullptr,
                                         base_access(caller), now,        nullptr};
  PasswordWork passwords;
  if (touches_passwords(collection, input.body)) {
    passwords = co_await prepare_passwords(passwords_, record_input, nullptr);
  }

  json::object values;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    json::object validated = co_await validate_in_job(tx, access, record_input, input.file_parts,
                                                      passwords, nullptr, kCreateFailed);
    try {
      db::Params params = insert_params(collection, validated);
      co_await tx.execute(insert_sql(collection, access.dialect()), params);
    } catch (const db::ConstraintError& error) {
      throw support::constraint_error(collection, error, std::string(kCreateFailed));
    }
    if (!conditions.empty()) {
      // The create rule sees the record as inserted; failing it undoes the insert.
      query::RequestInfo rule_request = request;
      rule_request.body = rule_body(collection, input.body, validated);
      Statement check = matches_statement(access, *conditions.front(), rule_request,
                                          validated.at(schema::kFieldId).get_string());
      if ((co_await tx.query(check.sql, check.params)).empty()) {
        throw core::ApiError::bad_request(std::string(kCreateFailed));
      }
    }
    values = std::move(validated);
  });

  events_.publish(RecordEvent{RecordAction::kCreate, collection.id, collection.name, values});
  std::vector<Record> records{Record{&collection, std::move(values), {}, false}};
  co_await expand_records(database_, access, request, tree, records);
  co_await support::resolve_email_visibility(database_, access, request, records);
  result.record = std::move(records.front());
  co_return result;
}

boost::asio::awaitable<RecordResult> RecordService::update(const Caller& caller,
                                                           std::string_view collection_name,
                                                           std::string_view id_text,
                                                           WriteInput input,
                                                           query::RequestInfo request) {
  RecordResult result;
  result.catalog = collections_.catalog();
  const schema::Collection& collection = support::find_collection(*result.catalog, collection_name);
  support::require_writable(collection);
  support::require_unlocked(caller, collection.update_rule);
  Access access(*result.catalog, caller, plans_, database_.dialect(), Clock::now());
  request.auth = access.auth_info();
  const ExpandTree tree = parse_expand(input.expand);
  std::vector<query::PlanPtr> conditions =
      support::rule_conditions(access, collection, collection.update_rule);
  std::vector<query::PlanPtr> manage;
  const bool may_manage = collection.is_auth() && !caller.is_superuser() && !caller.is_guest() &&
                          collection.auth.manage_rule && !collection.auth.manage_rule->empty();
  if (may_manage) manage.push_back(access.rule(collection, *collection.auth.manage_rule));
  const std::string now = schema::format_datetime(access.now());
  const std::string id(id_text);
  const std::string select = select_sql(collection, access.dialect()) + " WHERE " +
                             access.dialect().quote_identifier(schema::kFieldId) + " = " +
                             access.dialect().placeholder(1) + " LIMIT 1";

  PasswordWork passwords;
  if (touches_passwords(collection, input.body)) {
    // The dry run sees the row as it is now; the job re-reads it and refuses an oldPassword
    // that was checked against a hash that has changed since.
    db::ResultSet rows = co_await database_.query(select, id);
    if (!rows.empty()) {
      json::object stored = decode_row(collection, rows[0]);
      // Managers skip oldPassword; the dry run assumes the weaker access so it is checked.
      schema::RecordInput dry{collection, input.body, &stored, base_access(caller), now, nullptr};
      const json::value* hash = stored.if_contains(schema::kFieldPassword);
      std::string stored_hash = hash && hash->is_string() ? std::string(hash->get_string()) : "";
      passwords = co_await prepare_passwords(passwords_, dry, &stored_hash);
    }
  }

  json::object values;
  co_await database_.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    db::ResultSet rows = co_await tx.query(select, id);
    if (rows.empty()) throw core::ApiError::not_found();
    const json::object stored = decode_row(collection, rows[0]);
    schema::AccessLevel level = base_access(caller);
    if (!manage.empty()) {
      Statement check = matches_statement(access, *manage.front(), request, id);
      if (!(co_await tx.query(check.sql, check.params)).empty()) {
        level = schema::AccessLevel::kManager;
      }
    }
    const schema::RecordInput record_input{collection, input.body, &stored, level, now, nullptr};
    // The rule runs before validation so that a caller who may not update learns nothing
    // from validation errors (404 first, as PocketBase).
    if (!conditions.empty()) {
      // PocketBase resolves modifier keys of @request.body from the stored row; so does a dry
      // validation without lookups here.
      schema::RecordValidation dry = schema::validate_record(record_input);
      query::RequestInfo rule_request = request;
      rule_request.body = rule_body(collection, input.body, dry.record.values);
      Statement check = matches_statement(access, *conditions.front(), rule_request, id);
      if ((co_await tx.query(check.sql, check.params)).empty()) throw core::ApiError::not_found();
    }
    json::object validated = co_await validate_in_job(tx, access, record_input, input.file_parts,
                                                      passwords, &stored, kUpdateFailed);
    try {
      db::Params params = update_params(collection, validated, id);
      co_await tx.execute(update_sql(collection, access.dialect()), params);
    } catch (const db::ConstraintError& error) {
      throw support::constraint_error(collection, error, std::string(kUpdateFailed));
    }
    values = std::move(validated);
  });

  events_.publish(RecordEvent{RecordAction::kUpdate, collection.id, collection.name, values});
  std::vector<Record> records{Record{&collection, std::move(values), {}, false}};
  co_await expand_records(database_, access, request, tree, records);
  co_await support::resolve_email_visibility(database_, access, request, records);
  result.record = std::move(records.front());
  co_return result;
}

}  // namespace basalt::records
