#include "basalt/auth/auth_context.hpp"

#include "basalt/core/api_error.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;

std::string_view text_of(const json::object& record, std::string_view key) {
  const json::value* value = record.if_contains(key);
  return value && value->is_string() ? std::string_view(value->as_string()) : std::string_view();
}

}  // namespace

bool AuthContext::is_superuser() const noexcept {
  return collection && collection->name == schema::kSuperusersCollection;
}

std::string_view AuthContext::record_id() const noexcept {
  return record ? text_of(*record, schema::kFieldId) : std::string_view();
}

std::string issue_auth_token(const schema::Collection& collection, const json::object& record,
                             std::chrono::system_clock::time_point now) {
  TokenClaims claims;
  claims.type = TokenType::kAuth;
  claims.record_id = std::string(text_of(record, schema::kFieldId));
  claims.collection_id = collection.id;
  claims.refreshable = true;
  claims.expires = expires_at(now, std::chrono::seconds(collection.auth.auth_token.duration));
  return issue_token(claims, text_of(record, schema::kFieldTokenKey),
                     collection.auth.auth_token.secret);
}

std::string issue_file_token(const AuthContext& caller, std::chrono::system_clock::time_point now) {
  if (caller.is_guest()) {
    throw core::ApiError::unauthorized("The request requires valid record authorization token.");
  }
  const schema::Collection& collection = *caller.collection;
  TokenClaims claims;
  claims.type = TokenType::kFile;
  claims.record_id = std::string(caller.record_id());
  claims.collection_id = collection.id;
  claims.expires = expires_at(now, std::chrono::seconds(collection.auth.file_token.duration));
  return issue_token(claims, text_of(*caller.record, schema::kFieldTokenKey),
                     collection.auth.file_token.secret);
}

}  // namespace basalt::auth
