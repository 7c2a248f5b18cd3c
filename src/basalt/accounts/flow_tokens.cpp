#include "basalt/accounts/flow_tokens.hpp"

#include <stdexcept>
#include <vector>

#include "basalt/schema/field.hpp"

namespace basalt::accounts {
namespace {

namespace json = boost::json;

std::string_view string_value(const json::object& record, std::string_view key) {
  const auto* value = record.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view();
}

}  // namespace

const schema::TokenConfig& flow_token_config(const schema::Collection& collection,
                                             auth::TokenType type) {
  switch (type) {
    case auth::TokenType::kVerification:
      return collection.auth.verification_token;
    case auth::TokenType::kPasswordReset:
      return collection.auth.password_reset_token;
    case auth::TokenType::kEmailChange:
      return collection.auth.email_change_token;
    default:
      throw std::invalid_argument("not a mail flow token type");
  }
}

std::string issue_flow_token(const schema::Collection& collection, const json::object& record,
                             auth::TokenType type, std::chrono::system_clock::time_point now,
                             std::string_view new_email) {
  const schema::TokenConfig& config = flow_token_config(collection, type);
  auth::TokenClaims claims;
  claims.type = type;
  claims.record_id = std::string(string_value(record, schema::kFieldId));
  claims.collection_id = collection.id;
  claims.expires = auth::expires_at(now, std::chrono::seconds(config.duration));
  claims.email = std::string(string_value(record, schema::kFieldEmail));
  claims.new_email = std::string(new_email);
  return auth::issue_token(claims, string_value(record, schema::kFieldTokenKey), config.secret);
}

std::optional<auth::TokenClaims> verify_flow_token(const auth::UnverifiedToken& token,
                                                   const schema::Collection& collection,
                                                   const json::object& record,
                                                   auth::TokenType expected,
                                                   std::chrono::system_clock::time_point now) {
  if (token.type != expected || token.collection_id != collection.id ||
      token.record_id != string_value(record, schema::kFieldId)) {
    return std::nullopt;
  }
  const std::string_view token_key = string_value(record, schema::kFieldTokenKey);
  const schema::TokenConfig& config = flow_token_config(collection, expected);
  if (token_key.empty() && config.secret.empty()) return std::nullopt;
  return auth::verify_token(token, token_key, config.secret, now);
}

boost::asio::awaitable<std::optional<FlowTokenRecord>> find_flow_token_record(
    const collections::Catalog& catalog, records::RecordService& records, std::string token,
    auth::TokenType expected, std::chrono::system_clock::time_point now) {
  std::optional<auth::UnverifiedToken> unverified = auth::read_unverified_token(token);
  if (!unverified || unverified->type != expected) co_return std::nullopt;
  const schema::Collection* collection = catalog.find(unverified->collection_id);
  // Found by id only: a collection name in the claim must not resolve.
  if (!collection || !collection->is_auth() || collection->id != unverified->collection_id) {
    co_return std::nullopt;
  }
  const std::vector<std::string> by_id{std::string(schema::kFieldId)};
  std::optional<json::object> record =
      co_await records.find_auth_record(*collection, by_id, unverified->record_id);
  if (!record) co_return std::nullopt;
  std::optional<auth::TokenClaims> claims =
      verify_flow_token(*unverified, *collection, *record, expected, now);
  if (!claims) co_return std::nullopt;
  co_return FlowTokenRecord{collection, std::move(*record), std::move(*claims)};
}

}  // namespace basalt::accounts
