#include "basalt/collections/collection_store.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/db/database_error.hpp"
#include "basalt/schema/collection_json.hpp"

namespace basalt::collections {
namespace {

namespace json = boost::json;

// Columns after `id` that hold a top-level key of the storage JSON under the same name.
constexpr std::string_view kRuleColumns[] = {"listRule", "viewRule", "createRule", "updateRule",
                                             "deleteRule"};

// The 14 columns, in the order of select_sql(), row_params() and decode().
constexpr std::string_view kColumns[] = {
    "id",       "system",     "type",       "name",       "fields",  "indexes", "listRule",
    "viewRule", "createRule", "updateRule", "deleteRule", "options", "created", "updated"};

// Every row, oldest first (rows created in the same millisecond in insertion order).
// Every column name quoted: PostgreSQL folds unquoted names to lower case ("listRule").
std::string select_sql(const db::Dialect& dialect) {
  std::string columns;
  for (std::string_view column : kColumns) {
    if (!columns.empty()) columns += ", ";
    columns += dialect.quote_identifier(column);
  }
  return "SELECT " + columns + " FROM _collections ORDER BY created, " + dialect.insertion_order();
}

// The column types, defaults and nullability of PocketBase's `_collections`, in the dialect's
// spelling (the rules are the only nullable columns).
std::string create_table_sql(const db::Dialect& dialect) {
  using db::ColumnType;
  struct Column {
    std::string_view name;
    ColumnType type;
    std::string_view constraints;
  };
  static constexpr Column kTable[] = {
      {"id", ColumnType::kText, "PRIMARY KEY NOT NULL"},
      {"system", ColumnType::kBool, "DEFAULT FALSE NOT NULL"},
      {"type", ColumnType::kText, "DEFAULT 'base' NOT NULL"},
      {"name", ColumnType::kText, "NOT NULL"},
      {"fields", ColumnType::kJson, "DEFAULT '[]' NOT NULL"},
      {"indexes", ColumnType::kJson, "DEFAULT '[]' NOT NULL"},
      {"listRule", ColumnType::kText, "DEFAULT NULL"},
      {"viewRule", ColumnType::kText, "DEFAULT NULL"},
      {"createRule", ColumnType::kText, "DEFAULT NULL"},
      {"updateRule", ColumnType::kText, "DEFAULT NULL"},
      {"deleteRule", ColumnType::kText, "DEFAULT NULL"},
      {"options", ColumnType::kJson, "DEFAULT '{}' NOT NULL"},
      {"created", ColumnType::kText, "DEFAULT '' NOT NULL"},
      {"updated", ColumnType::kText, "DEFAULT '' NOT NULL"},
  };
  std::string sql = "CREATE TABLE " + std::string(kCollectionsTable) + " (";
  for (const Column& column : kTable) {
    if (&column != kTable) sql += ", ";
    sql += dialect.quote_identifier(column.name) + " " +
           std::string(dialect.column_definition_type(column.type)) + " " +
           std::string(column.constraints);
  }
  if (std::string order = dialect.insertion_order_column(); !order.empty()) sql += ", " + order;
  return sql + ")";
}

// Collection names are unique whatever their (ASCII) case, as PocketBase compares them.
std::string create_name_index_sql(const db::Dialect& dialect) {
  return "CREATE UNIQUE INDEX idx__collections_name ON " + std::string(kCollectionsTable) + " (" +
         dialect.ignoring_case(dialect.quote_identifier("name")) + ")";
}

db::Value rule_value(const json::object& document, std::string_view key) {
  const json::value* value = document.if_contains(key);
  if (!value || value->is_null()) return nullptr;
  return std::string(value->as_string());
}

std::string text_of(const json::object& document, std::string_view key) {
  const json::value* value = document.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

// The parameters of an INSERT/UPDATE: the 14 columns in select_sql() order.
db::Params row_params(const schema::Collection& collection) {
  json::object document = schema::collection_to_json(collection, schema::JsonForm::kStorage);
  json::object options;
  for (const auto& entry : document) {
    std::string_view key = entry.key();
    bool has_column = key == "id" || key == "system" || key == "type" || key == "name" ||
                      key == "fields" || key == "indexes" || key == "created" || key == "updated";
    for (auto rule : kRuleColumns) has_column = has_column || key == rule;
    if (!has_column) options.emplace(key, entry.value());
  }
  db::Params params;
  params.emplace_back(collection.id);
  params.emplace_back(std::int64_t{collection.system ? 1 : 0});
  params.emplace_back(text_of(document, "type"));
  params.emplace_back(collection.name);
  params.emplace_back(json::serialize(document.at("fields")));
  params.emplace_back(json::serialize(document.at("indexes")));
  for (auto rule : kRuleColumns) params.push_back(rule_value(document, rule));
  params.emplace_back(json::serialize(options));
  params.emplace_back(collection.created);
  params.emplace_back(collection.updated);
  return params;
}

json::value parse_column(const db::ResultSet::Row& row, std::size_t column,
                         std::string_view collection_id) {
  boost::system::error_code ec;
  json::value value = json::parse(row.as_text(column), ec);
  if (ec) {
    throw db::DatabaseError("_collections row " + std::string(collection_id) +
                            " holds invalid JSON in column " + std::to_string(column));
  }
  return value;
}

std::vector<schema::Collection> decode(const db::ResultSet& rows) {
  std::vector<schema::Collection> out;
  for (auto row : rows) {
    std::string_view id = row.as_text(0);
    json::object document;
    json::value options = parse_column(row, 11, id);
    if (options.is_object()) {
      for (const auto& entry : options.as_object()) document.emplace(entry.key(), entry.value());
    }
    document["id"] = id;
    document["system"] = row.as_int(1) != 0;
    document["type"] = row.as_text(2);
    document["name"] = row.as_text(3);
    document["fields"] = parse_column(row, 4, id);
    document["indexes"] = parse_column(row, 5, id);
    for (std::size_t i = 0; i < std::size(kRuleColumns); ++i) {
      if (row.is_null(6 + i)) {
        document[kRuleColumns[i]] = nullptr;
      } else {
        document[kRuleColumns[i]] = row.as_text(6 + i);
      }
    }
    document["created"] = row.as_text(12);
    document["updated"] = row.as_text(13);
    schema::ParsedCollection parsed =
        schema::parse_collection(document, schema::ParseMode::kStorage);
    if (!parsed.errors.empty()) {
      throw db::DatabaseError("_collections row " + std::string(id) + " does not parse: " +
                              boost::json::serialize(parsed.errors.to_json()));
    }
    out.push_back(std::move(parsed.collection));
  }
  return out;
}

}  // namespace

boost::asio::awaitable<void> create_collections_table(db::Transaction& tx,
                                                      const db::Dialect& dialect) {
  co_await tx.execute(create_table_sql(dialect));
  co_await tx.execute(create_name_index_sql(dialect));
}

boost::asio::awaitable<std::vector<schema::Collection>> load_collections(
    db::Transaction& tx, const db::Dialect& dialect) {
  co_return decode(co_await tx.query(select_sql(dialect)));
}

boost::asio::awaitable<std::vector<schema::Collection>> load_collections(db::Database& database) {
  co_return decode(co_await database.query(select_sql(database.dialect())));
}

boost::asio::awaitable<void> insert_collection(db::Transaction& tx, const db::Dialect& dialect,
                                               const schema::Collection& collection) {
  std::string columns;
  std::string values;
  for (std::size_t i = 1; i <= std::size(kColumns); ++i) {
    if (i > 1) columns += ", ", values += ", ";
    columns += dialect.quote_identifier(kColumns[i - 1]);
    values += dialect.placeholder(i);
  }
  const std::string sql = "INSERT INTO _collections (" + columns + ") VALUES (" + values + ")";
  co_await tx.execute(sql, row_params(collection));
}

boost::asio::awaitable<void> update_collection(db::Transaction& tx, const db::Dialect& dialect,
                                               const schema::Collection& collection) {
  std::string sql = "UPDATE _collections SET ";
  for (std::size_t i = 2; i <= std::size(kColumns); ++i) {  // every column but id (?1)
    if (i > 2) sql += ", ";
    sql += dialect.quote_identifier(kColumns[i - 1]) + " = " + dialect.placeholder(i);
  }
  sql += " WHERE id = " + dialect.placeholder(1);
  co_await tx.execute(sql, row_params(collection));
}

boost::asio::awaitable<void> delete_collection(db::Transaction& tx, const db::Dialect& dialect,
                                               std::string_view id) {
  const std::string sql = "DELETE FROM _collections WHERE id = " + dialect.placeholder(1);
  co_await tx.execute(sql, std::string(id));
}

}  // namespace basalt::collections
