// RecordService::find_auth_record_by_id (record_service.hpp): one primary-key read for the auth
// flows that know the record's id (impersonation, a second MFA method). No rules.
#include "basalt/records/record_codec.hpp"
#include "basalt/records/record_service.hpp"

namespace basalt::records {

boost::asio::awaitable<std::optional<boost::json::object>> RecordService::find_auth_record_by_id(
    const schema::Collection& collection, std::string id) {
  const db::Dialect& dialect = database_.dialect();
  const std::string sql = select_sql(collection, dialect) + " WHERE " +
                          dialect.quote_identifier(schema::kFieldId) + " = " +
                          dialect.placeholder(1);
  db::ResultSet rows = co_await database_.query(sql, id);
  if (rows.empty()) co_return std::nullopt;
  co_return decode_row(collection, rows[0]);
}

}  // namespace basalt::records
