#include "basalt/records/record_codec.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/schema/field_registry.hpp"

namespace basalt::records {
namespace {

namespace json = boost::json;
using schema::ColumnKind;

ColumnKind kind_of(const schema::Field& field) {
  return schema::column_for(field).kind;
}

std::string quoted_columns(const schema::Collection& collection, const db::Dialect& dialect) {
  std::string out;
  for (const auto& field : collection.fields) {
    if (!out.empty()) out += ", ";
    out += dialect.quote_identifier(field.name);
  }
  return out;
}

}  // namespace

db::Value to_column(const schema::Field& field, const json::value& value) {
  switch (kind_of(field)) {
    case ColumnKind::kBool:
      return std::int64_t{value.is_bool() && value.as_bool() ? 1 : 0};
    case ColumnKind::kReal:
    case ColumnKind::kInteger:
      if (value.is_double()) return value.as_double();
      if (value.is_int64()) return static_cast<double>(value.as_int64());
      if (value.is_uint64()) return static_cast<double>(value.as_uint64());
      return 0.0;
    case ColumnKind::kJson:
      if (value.is_null()) return nullptr;
      return json::serialize(value);
    case ColumnKind::kText:
      if (value.is_string()) return std::string(value.as_string());
      if (value.is_null()) return std::string();
      return json::serialize(value);
  }
  return nullptr;
}

json::value from_column(const schema::Field& field, const db::Value& column) {
  json::value raw;
  if (const auto* text = std::get_if<std::string>(&column)) {
    if (kind_of(field) == ColumnKind::kJson) {
      boost::system::error_code ec;
      raw = json::parse(*text, ec);
      if (ec) raw = json::string(*text);  // a hand-edited cell: let prepare() normalise it
    } else {
      raw = json::string(*text);
    }
  } else if (const auto* integer = std::get_if<std::int64_t>(&column)) {
    raw = kind_of(field) == ColumnKind::kBool ? json::value(*integer != 0) : json::value(*integer);
  } else if (const auto* real = std::get_if<double>(&column)) {
    raw = *real;
  }
  // prepare() gives the working form (a password becomes {hash, plain}); store() takes it back
  // to the stored form, which is what readers of a row expect.
  const auto& info = schema::builtin_field_types().at(field.type());
  json::value prepared = info.prepare(field, raw);
  return info.store ? info.store(field, prepared) : prepared;
}

std::string select_sql(const schema::Collection& collection, const db::Dialect& dialect) {
  return "SELECT " + quoted_columns(collection, dialect) + " FROM " +
         dialect.quote_identifier(collection.name);
}

json::object decode_row(const schema::Collection& collection, const db::ResultSet::Row& row) {
  json::object values;
  for (std::size_t i = 0; i < collection.fields.size(); ++i) {
    values[collection.fields[i].name] = from_column(collection.fields[i], row.at(i));
  }
  return values;
}

namespace {

std::string insert_text(std::string_view keyword, const schema::Collection& collection,
                        const db::Dialect& dialect, std::size_t rows) {
  std::string sql = std::string(keyword) + " INTO " + dialect.quote_identifier(collection.name) +
                    " (" + quoted_columns(collection, dialect) + ") VALUES ";
  const std::size_t columns = collection.fields.size();
  for (std::size_t row = 0; row < rows; ++row) {
    sql += row > 0 ? ", (" : "(";
    for (std::size_t i = 0; i < columns; ++i) {
      if (i > 0) sql += ", ";
      sql += dialect.placeholder(row * columns + i + 1);
    }
    sql += ')';
  }
  return sql;
}

}  // namespace

std::string insert_sql(const schema::Collection& collection, const db::Dialect& dialect) {
  return insert_text("INSERT", collection, dialect, 1);
}

std::string insert_rows_sql(const schema::Collection& collection, const db::Dialect& dialect,
                            std::size_t rows) {
  return insert_text(dialect.insert_rows_keyword(), collection, dialect, rows);
}

std::string update_sql(const schema::Collection& collection, const db::Dialect& dialect) {
  std::string sets;
  for (std::size_t i = 0; i < collection.fields.size(); ++i) {
    if (i > 0) sets += ", ";
    sets +=
        dialect.quote_identifier(collection.fields[i].name) + " = " + dialect.placeholder(i + 1);
  }
  return "UPDATE " + dialect.quote_identifier(collection.name) + " SET " + sets + " WHERE " +
         dialect.quote_identifier(schema::kFieldId) + " = " +
         dialect.placeholder(collection.fields.size() + 1);
}

db::Params insert_params(const schema::Collection& collection, const json::object& values) {
  db::Params params;
  params.reserve(collection.fields.size() + 1);
  static const json::value kMissing;
  for (const auto& field : collection.fields) {
    // Both branches lvalues: a conditional with a prvalue branch would copy the value.
    const json::value* value = values.if_contains(field.name);
    params.push_back(to_column(field, value ? *value : kMissing));
  }
  return params;
}

db::Params update_params(const schema::Collection& collection, const json::object& values,
                         std::string_view id) {
  db::Params params = insert_params(collection, values);
  params.emplace_back(std::string(id));
  return params;
}

}  // namespace basalt::records
