#include "basalt/auth/auth_context.hpp"

#include <cctype>

#include "basalt/records/record_codec.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;

std::string_view strip_bearer(std::string_view value) {
  constexpr std::string_view kBearer = "bearer ";
  if (value.size() >= kBearer.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kBearer.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(value[i])) == kBearer[i];
    }
    if (match) value.remove_prefix(kBearer.size());
  }
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

std::string_view text_of(const json::object& record, std::string_view key) {
  const json::value* value = record.if_contains(key);
  return value && value->is_string() ? std::string_view(value->as_string()) : std::string_view();
}

}  // namespace

bool AuthContext::is_superuser() const noexcept {
  return collection && collection->name == schema::kSuperusersCollection;
}

std::string_view AuthContext::record_id() const noexcept {
  return text_of(record, schema::kFieldId);
}

boost::asio::awaitable<AuthContext> authenticate(std::string_view authorization,
                                                 db::Database& database,
                                                 const CollectionFinder& find_collection,
                                                 std::chrono::system_clock::time_point now) {
  AuthContext guest;
  std::string_view token = strip_bearer(authorization);
  if (token.empty()) co_return guest;
  std::optional<UnverifiedToken> claimed = read_unverified_token(token);
  if (!claimed || claimed->type != TokenType::kAuth) co_return guest;
  std::shared_ptr<const schema::Collection> collection = find_collection(claimed->collection_id);
  if (!collection || !collection->is_auth()) co_return guest;

  const db::Dialect& dialect = database.dialect();
  db::ResultSet rows = co_await database.query(
      records::select_sql(*collection, dialect) + " WHERE " +
          dialect.quote_identifier(schema::kFieldId) + " = " + dialect.placeholder(1),
      claimed->record_id);
  if (rows.empty()) co_return guest;
  json::object record = records::decode_row(*collection, rows[0]);
  std::optional<TokenClaims> claims = verify_token(
      *claimed, text_of(record, schema::kFieldTokenKey), collection->auth.auth_token.secret, now);
  if (!claims) co_return guest;
  co_return AuthContext{std::move(collection), std::move(record), std::move(*claims)};
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

}  // namespace basalt::auth
