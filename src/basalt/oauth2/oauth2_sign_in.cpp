#include "basalt/oauth2/oauth2_sign_in.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/value.hpp>

#include "basalt/auth/auth_context.hpp"
#include "basalt/auth/auth_rule.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/field_options.hpp"
#include "basalt/schema/file_limits.hpp"
#include "basalt/schema/ids.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::oauth2 {
namespace {

namespace json = boost::json;

constexpr std::size_t kRandomPasswordLength = 30;

// The record service's view of this flow's own writes (the verified flag, the link): a
// superuser with no record of its own, as the CLI's commands are.
struct FlowCaller {
  explicit FlowCaller(const collections::Catalog& catalog)
      : collection(catalog.find(records::kSuperusersCollection)) {
    if (!collection) throw core::ApiError::bad_request("Failed to authenticate.");
    caller.collection = collection;
    caller.record = &record;
  }
  const schema::Collection* collection;
  json::object record{{"id", ""}};
  records::Caller caller;
};

[[noreturn]] void invalid_body(std::string_view key, std::string_view code,
                               std::string_view message) {
  json::object data;
  data[key] = {{"code", code}, {"message", message}};
  throw core::ApiError::bad_request("An error occurred while loading the submitted data.",
                                    std::move(data));
}

void check_required(std::string_view key, const std::string& value, std::size_t max) {
  if (value.empty()) invalid_body(key, "validation_required", "Cannot be blank.");
  if (value.size() > max) {
    invalid_body(key, "validation_length_too_long",
                 "The length must be no more than " + std::to_string(max) + ".");
  }
}

const schema::OAuth2ProviderConfig* configured_provider(const schema::Collection& collection,
                                                        std::string_view name) {
  const auto& providers = collection.auth.oauth2.providers;
  if (!providers) return nullptr;
  for (const auto& p : *providers) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string string_value(const json::object& record, std::string_view key) {
  const json::value* v = record.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool bool_value(const json::object& record, std::string_view key) {
  const json::value* v = record.if_contains(key);
  return v && v->is_bool() && v->get_bool();
}

// The name an avatar is uploaded under: the URL's last path segment, or "avatar".
std::string avatar_file_name(const std::string& url) {
  std::string path = url.substr(0, url.find_first_of("?#"));
  const auto slash = path.rfind('/');
  std::string name = slash == std::string::npos ? std::string() : path.substr(slash + 1);
  if (name.empty() || name.size() > 100) name = "avatar";
  return name;
}

// A write of the flow's own (not the client's create) that failed: PocketBase answers these with
// its generic refusal; the reason goes to the log.
[[noreturn]] void refuse_flow_write(std::string_view step, const core::ApiError& error) {
  spdlog::warn("oauth2 sign-in refused: {} failed: {}", step, error.what());
  throw core::ApiError::bad_request("Failed to authenticate.");
}

query::RequestInfo oauth2_request_info(json::object body = {}) {
  query::RequestInfo info;
  info.context = "oauth2";
  info.method = "POST";
  info.body = std::move(body);
  return info;
}

// The sign-in's writes share one transaction; a generous bound, far above what three rows take.
constexpr std::chrono::seconds kWritesTimeout{30};

// The _externalAuths row linking `record_id` to the provider user, written as `flow`.
records::BatchOperation link_operation(const schema::Collection& collection, std::string record_id,
                                       std::string_view provider, const AuthUser& user,
                                       const records::Caller& flow) {
  records::BatchOperation link;
  link.kind = records::WriteKind::kCreate;
  link.collection = std::string(schema::kExternalAuthsCollection);
  link.input.body = {{"collectionRef", collection.id},
                     {"recordRef", std::move(record_id)},
                     {"provider", provider},
                     {"providerId", user.id}};
  link.request = oauth2_request_info();
  link.caller = &flow;
  return link;
}

}  // namespace

OAuth2SignIn::OAuth2SignIn(db::Database& database, collections::CollectionService& collections,
                           records::RecordService& records, query::PlanCache& plans,
                           core::BlockingPool& pool, const ProviderClient& client,
                           AppleNames& apple_names, const core::Clock& clock,
                           std::filesystem::path spool_dir)
    : database_(database),
      collections_(collections),
      records_(records),
      plans_(plans),
      pool_(pool),
      client_(client),
      apple_names_(apple_names),
      clock_(clock),
      spool_dir_(std::move(spool_dir)) {}

boost::asio::awaitable<OAuth2SignInResult> OAuth2SignIn::sign_in(
    OAuth2SignInRequest request) const {
  OAuth2SignInResult result;
  result.catalog = collections_.catalog();
  const schema::Collection& collection =
      auth::find_auth_collection(*result.catalog, request.collection);
  result.collection = &collection;
  if (!collection.auth.oauth2.enabled) {
    throw core::ApiError::forbidden(
        "The collection is not configured to allow OAuth2 authentication.");
  }
  check_required("provider", request.provider, kMaxProviderNameLength);
  const schema::OAuth2ProviderConfig* config = configured_provider(collection, request.provider);
  std::optional<ProviderSettings> provider;
  if (config) provider = resolve_provider(*config);
  if (!provider) {
    json::object data;
    data["provider"] = {{"code", "validation_invalid_provider"},
                        {"message", "Provider with name \"" + request.provider +
                                        "\" is missing or is not enabled."},
                        {"params", {{"name", request.provider}}}};
    throw core::ApiError::bad_request("An error occurred while loading the submitted data.",
                                      std::move(data));
  }
  check_required("code", request.code, kMaxCodeLength);
  check_required("redirectURL", request.redirect_url, kMaxRedirectUrlLength);
  if (request.code_verifier.size() > kMaxCodeVerifierLength) {
    invalid_body("codeVerifier", "validation_length_too_long",
                 "The length must be no more than " + std::to_string(kMaxCodeVerifierLength) + ".");
  }

  // The network half, off the I/O thread.
  const CodeExchange exchange{request.code, request.code_verifier, request.redirect_url};
  const auto now = clock_.now();
  AuthUser user;
  try {
    user = co_await pool_.run([&] { return client_.fetch_user(*provider, exchange, now); });
  } catch (const FlowError& e) {
    spdlog::warn("oauth2 sign-in to {} with {} refused: {}", collection.name, provider->name,
                 e.reason());
    throw core::ApiError::bad_request(e.what());
  }

  if (provider->spec->kind == ProviderKind::kApple) {
    std::string remembered = apple_names_.take(request.code);
    if (user.name.empty()) user.name = std::move(remembered);
  }

  // Arguments named, never temporaries of a co_await expression (a GCC 12 miscompile).
  const std::string_view collection_id = collection.id;
  const std::string_view provider_name = provider->name;
  const std::string_view provider_user = user.id;
  std::optional<std::string> linked_id =
      co_await records_.find_external_auth(collection_id, provider_name, provider_user);
  std::optional<json::object> record;
  if (linked_id) {
    const std::string fields[] = {std::string(schema::kFieldId)};
    record = co_await records_.find_auth_record(collection, fields, *linked_id);
    if (!record) throw core::ApiError::bad_request("Failed to authenticate.");
  } else if (request.caller.collection && request.caller.collection->id == collection.id &&
             request.caller.record) {
    record = *request.caller.record;
  } else if (!user.email.empty()) {
    const std::string fields[] = {std::string(schema::kFieldEmail)};
    record = co_await records_.find_auth_record(collection, fields, user.email);
  }

  // Steps 4-6 are ONE batch of the record service: all or nothing.
  const bool is_new = !record;
  const std::string link_provider = linked_id ? std::string() : provider->name;
  if (is_new) {
    result.record = co_await create_record(collection, request, user, link_provider);
  } else {
    result.record =
        co_await update_linked_record(collection, request, user, std::move(*record), link_provider);
  }
  result.meta = auth_user_meta(user, is_new);
  co_await check_auth_rule(result, request.caller);
  co_return result;
}

boost::asio::awaitable<json::object> OAuth2SignIn::create_record(
    const schema::Collection& collection, const OAuth2SignInRequest& request, const AuthUser& user,
    const std::string& link_provider) const {
  // PocketBase refuses to make superusers through OAuth2 whatever the rules say.
  if (collection.name == records::kSuperusersCollection) {
    throw core::ApiError::bad_request("Failed to authenticate.");
  }
  records::WriteInput input;
  json::object& payload = input.body;
  payload = request.create_data;
  // The provider's email, whatever createData says (PocketBase keeps a non-empty one of
  // createData's; docs/oauth2.md, "Differences from PocketBase").
  payload[schema::kFieldEmail] = user.email;
  // The id is chosen here so the link can name the record in the same transaction.
  // From the collection's id field, as any create (docs/records.md, "Record ids"); a random
  // one when that field generates nothing.
  if (string_value(payload, schema::kFieldId).empty()) {
    std::string id = schema::new_id_of(collection);
    payload[schema::kFieldId] = id.empty() ? schema::new_record_id() : std::move(id);
  }
  const std::string id = string_value(payload, schema::kFieldId);
  // Marked verified when its email is the provider's (PocketBase: even when both are empty);
  // a value of the flow's own, stored with the create but not seen by its rule.
  if (string_value(payload, schema::kFieldEmail) == user.email) {
    input.system_values[schema::kFieldVerified] = true;
  }
  if (string_value(payload, schema::kFieldPassword).empty()) {
    const std::string password = schema::random_string(kRandomPasswordLength);
    payload[schema::kFieldPassword] = password;
    payload["passwordConfirm"] = password;
  }
  const schema::OAuth2MappedFields& mapped = collection.auth.oauth2.mapped_fields;
  auto unset = [&](const std::string& field) { return !field.empty() && !payload.contains(field); };
  if (unset(mapped.id)) payload[mapped.id] = user.id;
  if (unset(mapped.name)) payload[mapped.name] = user.name;
  if (unset(mapped.username) && !user.username.empty()) {
    // As PocketBase: only a username nobody has yet (else the create would fail over it).
    const std::string fields[] = {mapped.username};
    auto taken = co_await records_.find_auth_record(collection, fields, user.username);
    const schema::Field* field = collection.field_by_name(mapped.username);
    if (!taken && field && field->type() == schema::FieldType::kText) {
      payload[mapped.username] = user.username;
    }
  }
  if (unset(mapped.avatar_url) && !user.avatar_url.empty()) {
    const schema::Field* field = collection.field_by_name(mapped.avatar_url);
    if (field && field->type() == schema::FieldType::kFile) {
      std::size_t max_bytes = kDefaultAvatarBytes;
      if (const auto* options = field->as<schema::FileOptions>()) {
        max_bytes = static_cast<std::size_t>(schema::file_max_size(*options));
      }
      std::string error;
      core::TempFile file = co_await pool_.run(
          [&] { return client_.download_avatar(user.avatar_url, max_bytes, spool_dir_, error); });
      if (file) {
        records::Upload upload;
        upload.part = mapped.avatar_url;
        upload.filename = avatar_file_name(user.avatar_url);
        upload.size = file.size();
        upload.file = std::move(file);
        input.uploads.push_back(std::move(upload));
      } else {
        spdlog::warn("oauth2: the avatar of a new {} record was not downloaded: {}",
                     collection.name, error);
      }
    } else {
      payload[mapped.avatar_url] = user.avatar_url;
    }
  }
  std::vector<records::BatchOperation> writes;
  records::BatchOperation create;
  create.kind = records::WriteKind::kCreate;
  create.collection = collection.id;
  create.request = oauth2_request_info(payload);
  create.input = std::move(input);  // under the request's caller and the createRule
  writes.push_back(std::move(create));
  const auto flow_catalog = collections_.catalog();  // outlives `flow`, which points into it
  FlowCaller flow(*flow_catalog);
  if (!link_provider.empty()) {
    writes.push_back(link_operation(collection, id, link_provider, user, flow.caller));
  }
  std::vector<records::BatchOutcome> done;
  const std::chrono::milliseconds timeout = kWritesTimeout;
  try {
    done = co_await records_.batch(request.caller, std::move(writes), timeout);
  } catch (const records::BatchError& e) {
    // The client's create answers with its own errors; the link with the generic refusal.
    if (e.index() == 0) throw e.error();
    refuse_flow_write("linking the provider user", e.error());
  }
  co_return std::move(done.front().result.record.values);
}

boost::asio::awaitable<json::object> OAuth2SignIn::update_linked_record(
    const schema::Collection& collection, const OAuth2SignInRequest& request, const AuthUser& user,
    json::object record, const std::string& link_provider) const {
  const std::string id = string_value(record, schema::kFieldId);
  const bool own_record = request.caller.collection &&
                          request.caller.collection->id == collection.id &&
                          request.caller.id() == id;
  std::string email = string_value(record, schema::kFieldEmail);
  const bool verified = bool_value(record, schema::kFieldVerified);
  json::object changes;
  // Someone may have registered the address before its owner signed in with the provider:
  // their password must not keep working on the owner's account.
  if (!own_record && !email.empty() && !verified) {
    const std::string password = schema::random_string(kRandomPasswordLength);
    changes[schema::kFieldPassword] = password;
    changes["passwordConfirm"] = password;
  }
  if (email.empty() && !user.email.empty()) {
    email = user.email;
    changes[schema::kFieldEmail] = email;
  }
  if (!verified && (email.empty() || email == user.email)) changes[schema::kFieldVerified] = true;
  const auto flow_catalog = collections_.catalog();  // outlives `flow`, which points into it
  FlowCaller flow(*flow_catalog);
  std::vector<records::BatchOperation> writes;
  const bool updates = !changes.empty();
  if (updates) {
    records::BatchOperation update;
    update.kind = records::WriteKind::kUpdate;
    update.collection = collection.id;
    update.id = id;
    update.input.body = std::move(changes);
    update.request = oauth2_request_info();
    writes.push_back(std::move(update));
  }
  if (!link_provider.empty()) {
    writes.push_back(link_operation(collection, id, link_provider, user, flow.caller));
  }
  if (writes.empty()) co_return record;
  std::vector<records::BatchOutcome> done;
  const std::chrono::milliseconds timeout = kWritesTimeout;
  try {
    done = co_await records_.batch(flow.caller, std::move(writes), timeout);
  } catch (const records::BatchError& e) {
    refuse_flow_write(
        updates && e.index() == 0 ? "updating the linked record" : "linking the provider user",
        e.error());
  }
  if (updates) record = std::move(done.front().result.record.values);
  co_return record;
}

boost::asio::awaitable<void> OAuth2SignIn::check_auth_rule(const OAuth2SignInResult& result,
                                                           const records::Caller& caller) const {
  const query::RequestInfo info = oauth2_request_info();
  if (!co_await auth::auth_rule_allows(database_, plans_, *result.catalog, *result.collection,
                                       result.record, caller, info, clock_.now())) {
    throw core::ApiError::forbidden(
        "The request doesn't satisfy the collection requirements to authenticate.");
  }
}

}  // namespace basalt::oauth2
