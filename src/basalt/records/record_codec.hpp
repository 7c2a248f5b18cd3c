// RecordCodec: a record's values (schema's JSON value forms, see field_registry.hpp) to and
// from the columns of its collection's table. The only place that knows how each field type
// sits in a column: text as text, number as REAL, bool as 0/1, multi-value select/relation/file,
// json and geoPoint as JSON text (json NULL when empty).
//
// SQL is built from quoted identifiers and numbered placeholders only.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "basalt/db/dialect.hpp"
#include "basalt/db/result_set.hpp"
#include "basalt/db/value.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::records {

// The column value for a field's stored-form value.
db::Value to_column(const schema::Field& field, const boost::json::value& value);
// The field's value form of a column value.
boost::json::value from_column(const schema::Field& field, const db::Value& column);

// `SELECT "f1", "f2", ... FROM "table"`: every field in field order (append WHERE etc.).
std::string select_sql(const schema::Collection& collection, const db::Dialect& dialect);
// A row read with select_sql, as an object of every field's value, in field order.
boost::json::object decode_row(const schema::Collection& collection, const db::ResultSet::Row& row);

// `INSERT INTO "table" ("f1", ...) VALUES (?1, ...)` with insert_params(values).
std::string insert_sql(const schema::Collection& collection, const db::Dialect& dialect);
// The same for `rows` rows: `... VALUES (?1, ...), (?N+1, ...), ...`, with the insert_params of
// each row one after the other; begun with Dialect::insert_rows_keyword(), so a failure may
// keep the rows before the failing one: the caller must then fail its whole transaction.
std::string insert_rows_sql(const schema::Collection& collection, const db::Dialect& dialect,
                            std::size_t rows);
// `UPDATE "table" SET "f1" = ?1, ... WHERE "id" = ?N` with update_params(values, id).
std::string update_sql(const schema::Collection& collection, const db::Dialect& dialect);

// One parameter per field, in field order; a field missing from `values` binds its zero value.
db::Params insert_params(const schema::Collection& collection, const boost::json::object& values);
// insert_params followed by the id of the row to update.
db::Params update_params(const schema::Collection& collection, const boost::json::object& values,
                         std::string_view id);

}  // namespace basalt::records
