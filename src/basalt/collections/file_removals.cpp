#include "basalt/collections/file_removals.hpp"

#include <boost/json/parse.hpp>
#include <map>

namespace basalt::collections {
namespace {

namespace json = boost::json;
using schema::ColumnDefault;
using schema::ColumnKind;
using schema::ColumnSpec;

bool is_file_field(const schema::Field& field) {
  return field.type() == schema::FieldType::kFile;
}

// The queue's columns, quoted (PostgreSQL folds unquoted names to lower case), with or without
// the id first.
std::string removal_columns(const db::Dialect& dialect, bool with_id) {
  std::string out = with_id ? dialect.quote_identifier("id") + ", " : std::string();
  return out + dialect.quote_identifier("collectionId") + ", " +
         dialect.quote_identifier("recordId") + ", " + dialect.quote_identifier("names") + ", " +
         dialect.quote_identifier("keepLast");
}

// Queues every record's value of `field` (a column of `table`, as it is before the DDL).
boost::asio::awaitable<void> queue_column(db::Transaction& tx, const db::Dialect& dialect,
                                          const std::string& collection_id,
                                          const std::string& table, const schema::Field& field,
                                          bool keep_last) {
  // The value as text: a multiple file field's column is JSON (JSONB on PostgreSQL, where
  // neither '' compares with it nor does it fill a TEXT column). keepLast is a constant, not
  // a parameter: PostgreSQL gives a parameter in a SELECT list the type text, which a BOOLEAN
  // column does not take.
  const std::string column = "CAST(" + dialect.quote_identifier(field.name) + " AS TEXT)";
  const std::string sql = "INSERT INTO " + dialect.quote_identifier(kFileRemovalsTable) + " (" +
                          removal_columns(dialect, false) + ") SELECT " + dialect.placeholder(1) +
                          ", " + dialect.quote_identifier("id") + ", " + column + ", " +
                          (keep_last ? "TRUE" : "FALSE") + " FROM " +
                          dialect.quote_identifier(table) + " WHERE " + column +
                          " IS NOT NULL AND " + column + " <> '' AND " + column + " <> '[]'";
  co_await tx.execute(sql, collection_id);
}

}  // namespace

schema::TableSpec file_removals_table() {
  return schema::TableSpec{
      std::string(kFileRemovalsTable),
      {
          ColumnSpec{"id", ColumnKind::kText, ColumnDefault::kRandomId, true, true},
          ColumnSpec{"collectionId", ColumnKind::kText, ColumnDefault::kNone, false, true},
          ColumnSpec{"recordId", ColumnKind::kText, ColumnDefault::kNone, false, true},
          ColumnSpec{"names", ColumnKind::kText, ColumnDefault::kEmptyText, false, true},
          ColumnSpec{"keepLast", ColumnKind::kBool, ColumnDefault::kFalse, false, true},
      }};
}

boost::asio::awaitable<bool> queue_dropped_field_files(db::Transaction& tx,
                                                       const db::Dialect& dialect,
                                                       const schema::Collection& old,
                                                       const schema::Collection& updated) {
  if (old.is_view() || updated.is_view()) co_return false;
  std::map<std::string_view, const schema::Field*> kept;
  for (const schema::Field& field : updated.fields) kept.emplace(field.id, &field);
  bool queued = false;
  for (const schema::Field& before : old.fields) {
    if (!is_file_field(before)) continue;
    const auto after = kept.find(before.id);
    if (after == kept.end()) {
      co_await queue_column(tx, dialect, old.id, old.name, before, false);
      queued = true;
    } else if (before.is_multiple() && !after->second->is_multiple()) {
      co_await queue_column(tx, dialect, old.id, old.name, before, true);
      queued = true;
    }
  }
  co_return queued;
}

boost::asio::awaitable<bool> queue_collection_files(db::Transaction& tx, const db::Dialect& dialect,
                                                    const schema::Collection& deleted) {
  if (deleted.is_view()) co_return false;
  const std::string sql = "INSERT INTO " + dialect.quote_identifier(kFileRemovalsTable) + " (" +
                          dialect.quote_identifier("collectionId") + ", " +
                          dialect.quote_identifier("recordId") + ") VALUES (" +
                          dialect.placeholder(1) + ", '')";
  co_await tx.execute(sql, deleted.id);
  co_return true;
}

std::vector<std::string> dropped_names(std::string_view stored, bool keep_last) {
  std::vector<std::string> names;
  if (stored.empty()) return names;
  if (stored.front() == '[') {
    boost::system::error_code ec;
    json::value parsed = json::parse(stored, ec);
    if (!ec && parsed.is_array()) {
      for (const json::value& item : parsed.as_array()) {
        if (const json::string* name = item.if_string(); name && !name->empty()) {
          names.emplace_back(*name);
        }
      }
      if (keep_last && !names.empty()) names.pop_back();
      return names;
    }
  }
  // One name (a single-file column). Nothing to drop when its only name is kept.
  if (!keep_last) names.emplace_back(stored);
  return names;
}

boost::asio::awaitable<std::vector<FileRemoval>> next_file_removals(db::Database& database,
                                                                    std::size_t limit) {
  const db::Dialect& dialect = database.dialect();
  const std::string sql = "SELECT " + removal_columns(dialect, true) + " FROM " +
                          dialect.quote_identifier(kFileRemovalsTable) + " LIMIT " +
                          std::to_string(limit);
  db::ResultSet rows = co_await database.query(sql);
  std::vector<FileRemoval> out;
  out.reserve(rows.size());
  for (auto row : rows) {
    FileRemoval removal;
    removal.id = std::string(row.as_text(0));
    removal.collection_id = std::string(row.as_text(1));
    removal.record_id = std::string(row.as_text(2));
    removal.names = dropped_names(row.as_text(3), row.as_int(4) != 0);
    out.push_back(std::move(removal));
  }
  co_return out;
}

boost::asio::awaitable<void> forget_file_removals(db::Database& database,
                                                  const std::vector<std::string>& ids) {
  if (ids.empty()) co_return;
  const db::Dialect& dialect = database.dialect();
  std::string sql =
      "DELETE FROM " + dialect.quote_identifier(kFileRemovalsTable) + " WHERE id IN (";
  db::Params params;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += dialect.placeholder(i + 1);
    params.emplace_back(ids[i]);
  }
  sql += ")";
  auto job = [&sql, &params](db::Transaction& tx) -> boost::asio::awaitable<void> {
    co_await tx.execute(sql, params);
  };
  co_await database.write(job);
}

}  // namespace basalt::collections
