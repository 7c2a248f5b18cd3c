// RecordService's read of the OAuth2 links (_externalAuths, docs/oauth2.md): which auth record
// a provider's user is linked to. No rules: the OAuth2 sign-in calls it after its own checks.
#include "basalt/records/record_service.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::records {

boost::asio::awaitable<std::optional<std::string>> RecordService::find_external_auth(
    std::string_view collection_id, std::string_view provider, std::string_view provider_id) {
  const db::Dialect& dialect = database_.dialect();
  // The unique index idx_externalAuths_collection_provider makes this one row at most.
  const std::string sql =
      "SELECT " + dialect.quote_identifier("recordRef") + " FROM " +
      dialect.quote_identifier(schema::kExternalAuthsCollection) + " WHERE " +
      dialect.quote_identifier("collectionRef") + " = " + dialect.placeholder(1) + " AND " +
      dialect.quote_identifier("provider") + " = " + dialect.placeholder(2) + " AND " +
      dialect.quote_identifier("providerId") + " = " + dialect.placeholder(3) + " LIMIT 1";
  const std::string collection(collection_id), name(provider), id(provider_id);
  db::ResultSet rows = co_await database_.query(sql, collection, name, id);
  if (rows.empty() || rows[0].is_null(0)) co_return std::nullopt;
  co_return std::string(rows[0].as_text(0));
}

}  // namespace basalt::records
