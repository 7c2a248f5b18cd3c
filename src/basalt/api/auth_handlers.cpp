#include "basalt/api/auth_handlers.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <chrono>

#include "basalt/api/json_body.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/auth/auth_context.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_json.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {
namespace {

namespace json = boost::json;
using Clock = std::chrono::system_clock;

constexpr std::size_t kMaxIdentityLength = 255;
constexpr std::size_t kMaxPasswordLength = 255;

// The collection snapshot a handler works on, held for the whole request.
struct AuthCollection {
  std::shared_ptr<const collections::Catalog> catalog;
  const schema::Collection* collection;
};

AuthCollection auth_collection(const Services& services, const http::Request& request) {
  auto catalog = services.collections.catalog();
  const schema::Collection* collection = catalog->find(request.param("collection"));
  if (!collection || !collection->is_auth()) {
    throw core::ApiError::not_found("Missing or invalid auth collection context.");
  }
  return {std::move(catalog), collection};
}

// The client address without its port: the rate-limit key of an IP.
std::string client_ip(const http::Request& request) {
  const std::string& remote = request.remote_address();
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void auth_response(http::Response& response, const schema::Collection& collection,
                   const json::object& record, std::string_view token) {
  // Key order of PocketBase's response struct: record, then token. The owner sees its email;
  // superusers see their own hidden fields.
  records::Visibility visibility{collection.name == "_superusers", true};
  json::object body;
  body["record"] = records::export_record(collection, record, visibility);
  body["token"] = token;
  response.json(200, schema::serialize_go_json(body));
}

void validation_failed(std::string_view key, std::string_view code, std::string_view message) {
  json::object data;
  data[key] = {{"code", code}, {"message", message}};
  throw core::ApiError::bad_request("An error occurred while validating the submitted data.",
                                    std::move(data));
}

// The identity fields to try, in order: the one asked for, or every configured one with
// `email` skipped for identities that are not email-shaped (PocketBase's order).
std::vector<std::string> identity_fields(const schema::Collection& collection,
                                         const std::string& identity,
                                         const std::string& requested) {
  const auto& configured = schema::items(collection.auth.password_auth.identity_fields);
  if (!requested.empty()) {
    if (std::find(configured.begin(), configured.end(), requested) == configured.end()) {
      validation_failed("identityField", "validation_in_invalid", "Must be a valid value.");
    }
    return {requested};
  }
  std::vector<std::string> fields;
  for (const auto& name : configured) {
    if (name == schema::kFieldEmail && identity.find('@') == std::string::npos) continue;
    fields.push_back(name);
  }
  return fields;
}

// Whether `record` satisfies the collection's authRule, evaluated as PocketBase does: the
// record is both the row and @request.auth.
boost::asio::awaitable<bool> passes_auth_rule(const Services& services, const AuthCollection& auth,
                                              const json::object& record,
                                              const json::object& body) {
  const schema::Collection& collection = *auth.collection;
  const auto& rule = collection.auth.auth_rule;
  if (!rule) co_return false;  // null: only superusers may authenticate (none do here)
  if (rule->empty()) co_return true;
  const auto now = Clock::now();
  query::RequestInfo info;
  info.context = "password";
  info.method = "POST";
  info.body = body;
  info.auth = query::AuthInfo{collection.id, collection.name, record};
  query::PlanPtr plan;
  try {
    query::ResolveContext context{collection, auth.catalog->all(), &collection,
                                  query::ResolveMode::kRule, false};
    plan = services.plans.filter(context, auth.catalog->version(), *rule);
  } catch (const std::exception& error) {
    // Validation checks rules when they are saved; a rule that no longer resolves refuses.
    spdlog::error("authRule of {} does not compile: {}", collection.name, error.what());
    co_return false;
  }
  const db::Dialect& dialect = services.database.dialect();
  query::CompiledQuery compiled = query::compile_filter(dialect, *plan, info, now);
  db::Params params = compiled.params;
  params.emplace_back(std::string(record.at(schema::kFieldId).as_string()));
  std::string sql = "SELECT 1 FROM " + compiled.from_sql() + " WHERE " +
                    dialect.quote_identifier(collection.name) + "." +
                    dialect.quote_identifier(schema::kFieldId) + " = " +
                    dialect.placeholder(compiled.next_placeholder) +
                    (compiled.where.empty() ? "" : " AND (" + compiled.where + ")") + " LIMIT 1";
  co_return !(co_await services.database.query(sql, params)).empty();
}

// Replaces the stored hash of a record that signed in with an outdated one.
boost::asio::awaitable<void> upgrade_hash(const Services& services,
                                          const schema::Collection& collection,
                                          const std::string& id, const std::string& password) {
  std::string hash = co_await services.blocking.run([&] { return services.hasher.hash(password); });
  const db::Dialect& dialect = services.database.dialect();
  const std::string sql =
      "UPDATE " + dialect.quote_identifier(collection.name) + " SET " +
      dialect.quote_identifier(schema::kFieldPassword) + " = " + dialect.placeholder(1) +
      " WHERE " + dialect.quote_identifier(schema::kFieldId) + " = " + dialect.placeholder(2);
  co_await services.database.write([&](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(sql, hash, id);
  });
}

}  // namespace

boost::asio::awaitable<void> auth_with_password(const Services& services, http::Request& request,
                                                http::Response& response) {
  AuthCollection auth = auth_collection(services, request);
  const schema::Collection& collection = *auth.collection;
  json::object body = json_body(request);
  const std::string identity = string_member(body, "identity");
  const std::string password = string_member(body, "password");
  const std::string requested_field = string_member(body, "identityField");
  if (identity.empty()) validation_failed("identity", "validation_required", "Cannot be blank.");
  if (identity.size() > kMaxIdentityLength) {
    validation_failed("identity", "validation_length_out_of_range",
                      "The length must be between 1 and 255.");
  }
  if (password.empty()) validation_failed("password", "validation_required", "Cannot be blank.");
  if (password.size() > kMaxPasswordLength) {
    validation_failed("password", "validation_length_out_of_range",
                      "The length must be between 1 and 255.");
  }
  if (!collection.auth.password_auth.enabled) {
    throw core::ApiError::forbidden(
        "The collection is not configured to allow password authentication.");
  }
  const std::vector<std::string> fields = identity_fields(collection, identity, requested_field);

  // Rate limits count every attempt up front and are refunded when it succeeds.
  const auto steady_now = auth::RateLimiter::Clock::now();
  const std::string ip_key = client_ip(request);
  const std::string identity_key = collection.id + ":" + lower(identity);
  if (!services.ip_failures.try_acquire(ip_key, steady_now)) throw core::ApiError(429);
  if (!services.identity_failures.try_acquire(identity_key, steady_now)) {
    services.ip_failures.refund(ip_key, steady_now);
    throw core::ApiError(429);
  }

  const db::Dialect& dialect = services.database.dialect();
  std::optional<json::object> record;
  for (const auto& field : fields) {
    db::ResultSet rows = co_await services.database.query(
        records::select_sql(collection, dialect) + " WHERE " + dialect.quote_identifier(field) +
            " = " + dialect.placeholder(1) + " COLLATE NOCASE LIMIT 1",
        identity);
    if (!rows.empty()) {
      record = records::decode_row(collection, rows[0]);
      break;
    }
  }
  auth::PasswordCheck check;
  if (record) {
    std::string stored(record->at(schema::kFieldPassword).as_string());
    check = co_await services.blocking.run([&] { return services.hasher.check(password, stored); });
  } else {
    co_await services.blocking.run([&] {
      services.hasher.verify_dummy(password);
      return 0;
    });
  }
  if (!record || !check.matches) throw core::ApiError::bad_request("Failed to authenticate.");
  if (!co_await passes_auth_rule(services, auth, *record, body)) {
    throw core::ApiError::forbidden(
        "The request doesn't satisfy the collection requirements to authenticate.");
  }
  services.ip_failures.refund(ip_key, steady_now);
  services.identity_failures.refund(identity_key, steady_now);
  if (check.needs_rehash) {
    co_await upgrade_hash(services, collection,
                          std::string(record->at(schema::kFieldId).as_string()), password);
  }
  auth_response(response, collection, *record,
                auth::issue_auth_token(collection, *record, Clock::now()));
}

boost::asio::awaitable<void> auth_refresh(const Services& services, http::Request& request,
                                          http::Response& response) {
  AuthCollection auth = auth_collection(services, request);
  auth::AuthContext context = co_await request_auth(services, request);
  require_collection_auth(context, *auth.collection);
  std::string token;
  if (context.claims.refreshable) {
    token = auth::issue_auth_token(*auth.collection, context.record, Clock::now());
  } else {
    auto header = request.header("Authorization").value_or("");
    token = std::string(header.substr(header.find_last_of(' ') + 1));
  }
  auth_response(response, *auth.collection, context.record, token);
}

boost::asio::awaitable<void> auth_methods(const Services& services, http::Request& request,
                                          http::Response& response) {
  AuthCollection auth = auth_collection(services, request);
  const schema::AuthOptions& options = auth.collection->auth;
  const auto& identity = schema::items(options.password_auth.identity_fields);
  auto has = [&](std::string_view name) {
    return std::find(identity.begin(), identity.end(), name) != identity.end();
  };
  json::array fields;
  for (const auto& name : identity) fields.emplace_back(name);
  json::object body;
  body["password"] = {{"identityFields", fields}, {"enabled", options.password_auth.enabled}};
  body["oauth2"] = {{"providers", json::array()}, {"enabled", false}};
  body["mfa"] = {{"enabled", options.mfa.enabled},
                 {"duration", options.mfa.enabled ? options.mfa.duration : 0}};
  body["otp"] = {{"enabled", options.otp.enabled},
                 {"duration", options.otp.enabled ? options.otp.duration : 0}};
  // Legacy keys older SDKs read.
  body["authProviders"] = json::array();
  body["usernamePassword"] = options.password_auth.enabled && has("username");
  body["emailPassword"] = options.password_auth.enabled && has(schema::kFieldEmail);
  response.json(200, schema::serialize_go_json(body));
  co_return;
}

}  // namespace basalt::api
