#include "basalt/auth/file_tokens.hpp"

#include <memory>
#include <optional>

#include "basalt/records/record_codec.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;

std::string_view file_token_field_text(const json::object& record, std::string_view key) {
  const json::value* value = record.if_contains(key);
  return value && value->is_string() ? std::string_view(value->as_string()) : std::string_view();
}

}  // namespace

std::string issue_file_token(const schema::Collection& collection, const json::object& record,
                             std::chrono::system_clock::time_point now) {
  TokenClaims claims;
  claims.type = TokenType::kFile;
  claims.record_id = std::string(file_token_field_text(record, schema::kFieldId));
  claims.collection_id = collection.id;
  claims.expires = expires_at(now, std::chrono::seconds(collection.auth.file_token.duration));
  return issue_token(claims, file_token_field_text(record, schema::kFieldTokenKey),
                     collection.auth.file_token.secret);
}

boost::asio::awaitable<AuthContext> file_token_viewer(db::Database& database,
                                                      collections::CollectionService& collections,
                                                      std::string_view token,
                                                      std::chrono::system_clock::time_point now) {
  AuthContext guest;
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) co_return guest;
  std::optional<UnverifiedToken> claimed = read_unverified_token(token);
  if (!claimed || claimed->type != TokenType::kFile) co_return guest;
  const std::shared_ptr<const collections::Catalog> catalog = collections.catalog();
  const schema::Collection* found = catalog->find(claimed->collection_id);
  if (!found || found->id != claimed->collection_id || !found->is_auth()) co_return guest;
  // Aliasing pointer: keeps the whole snapshot alive while the context holds the collection.
  std::shared_ptr<const schema::Collection> collection(catalog, found);

  // Not the authenticator's cache: its keys are made with the authToken secret, and a file
  // token is presented a few times within its short life. One point read by primary key.
  const db::Dialect& dialect = database.dialect();
  const std::string sql = records::select_sql(*collection, dialect) + " WHERE " +
                          dialect.quote_identifier(schema::kFieldId) + " = " +
                          dialect.placeholder(1);
  db::ResultSet rows = co_await database.query(sql, claimed->record_id);
  if (rows.empty()) co_return guest;
  auto record = std::make_shared<const json::object>(records::decode_row(*collection, rows[0]));
  std::optional<TokenClaims> claims =
      verify_token(*claimed, file_token_field_text(*record, schema::kFieldTokenKey),
                   collection->auth.file_token.secret, now);
  if (!claims) co_return guest;
  co_return AuthContext{std::move(collection), std::move(record), std::move(*claims)};
}

}  // namespace basalt::auth
