#include "basalt/auth/password_sign_in.hpp"

#include "basalt/metrics/thread_block.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include "basalt/auth/auth_context.hpp"
#include "basalt/auth/auth_rule.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/records/access.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;

[[noreturn]] void validation_failed(std::string_view key, std::string_view code,
                                    std::string_view message) {
  json::object data;
  data[key] = {{"code", code}, {"message", message}};
  throw core::ApiError::bad_request("An error occurred while validating the submitted data.",
                                    std::move(data));
}

void check_lengths(const SignInRequest& request) {
  if (request.identity.empty()) {
    validation_failed("identity", "validation_required", "Cannot be blank.");
  }
  if (request.identity.size() > kMaxIdentityLength) {
    validation_failed("identity", "validation_length_out_of_range",
                      "The length must be between 1 and 255.");
  }
  if (request.password.empty()) {
    validation_failed("password", "validation_required", "Cannot be blank.");
  }
  if (request.password.size() > kMaxSignInPasswordLength) {
    validation_failed("password", "validation_length_out_of_range",
                      "The length must be between 1 and 255.");
  }
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

}  // namespace

const schema::Collection& find_auth_collection(const collections::Catalog& catalog,
                                               std::string_view id_or_name) {
  const schema::Collection* collection = catalog.find(id_or_name);
  if (!collection || !collection->is_auth()) {
    throw core::ApiError::not_found("Missing or invalid auth collection context.");
  }
  return *collection;
}

PasswordSignIn::PasswordSignIn(db::Database& database, collections::CollectionService& collections,
                               records::RecordService& records, query::PlanCache& plans,
                               core::BlockingPool& blocking, const PasswordHasher& hasher,
                               const SignInThrottle& throttle, const core::Clock& clock)
    : database_(database),
      collections_(collections),
      records_(records),
      plans_(plans),
      blocking_(blocking),
      hasher_(hasher),
      throttle_(throttle),
      clock_(clock) {}

boost::asio::awaitable<SignInResult> PasswordSignIn::sign_in(SignInRequest request) const {
  SignInResult result;
  result.catalog = collections_.catalog();
  const schema::Collection& collection = find_auth_collection(*result.catalog, request.collection);
  result.collection = &collection;
  check_lengths(request);
  if (!collection.auth.password_auth.enabled) {
    throw core::ApiError::forbidden(
        "The collection is not configured to allow password authentication.");
  }
  const std::vector<std::string> fields =
      identity_fields(collection, request.identity, request.identity_field);

  const SignInCharge charge =
      co_await throttle_.charge(request.client_ip, collection.id, request.identity);
  std::optional<json::object> record =
      co_await records_.find_auth_record(collection, fields, request.identity);
  PasswordCheck check;
  std::string stored;
  if (record) {
    stored = record->at(schema::kFieldPassword).as_string();
    check = co_await blocking_.run([&] { return hasher_.check(request.password, stored); });
  } else {
    co_await blocking_.run([&] {
      hasher_.verify_dummy(request.password);
      return 0;
    });
  }
  if (!record || !check.matches) {
    if (metrics::enabled()) metrics::local().sign_in_failures.add();
    throw core::ApiError::bad_request("Failed to authenticate.");
  }
  result.record = std::move(*record);
  query::RequestInfo info;
  info.context = "password";
  info.method = "POST";
  info.body = std::move(request.body);
  if (!co_await auth_rule_allows(database_, plans_, *result.catalog, collection, result.record,
                                 request.caller, info, clock_.now())) {
    throw core::ApiError::forbidden(
        "The request doesn't satisfy the collection requirements to authenticate.");
  }
  co_await throttle_.refund(charge);
  if (check.needs_rehash) {
    const std::string id(result.record.at(schema::kFieldId).as_string());
    co_await upgrade_hash(collection, id, request.password, stored);
  }
  co_return result;
}

boost::asio::awaitable<void> PasswordSignIn::upgrade_hash(const schema::Collection& collection,
                                                          const std::string& id,
                                                          const std::string& password,
                                                          const std::string& checked_hash) const {
  std::string hash = co_await blocking_.run([&] { return hasher_.hash(password); });
  co_await records_.replace_password_hash(collection, id, checked_hash, std::move(hash));
}

}  // namespace basalt::auth
