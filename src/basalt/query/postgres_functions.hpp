// The SQL functions a filter compiled for PostgreSQL calls (postgres_filter_dialect.hpp): SQLite's
// value semantics, written once in SQL so that a filter selects on PostgreSQL the records it
// selects on SQLite (docs/postgres.md, "Filters on PostgreSQL").
//
// A filter value is a `basalt_v`, one text field holding the SQLite storage class and the value:
// 'i' + an int64 in decimal, 'r' + a double (PostgreSQL's shortest exact text), 't' + the text.
// SQL NULL is a NULL basalt_v. basalt_sv(x) turns any column or parameter (TEXT, BIGINT,
// DOUBLE PRECISION, BOOLEAN, JSONB) into one, as SQLite would read that column; the other
// functions take and give basalt_v:
//   basalt_numeric / basalt_textaff   SQLite's NUMERIC / TEXT comparison affinity
//   basalt_cmp(a, b)                  -1/0/1 or NULL: numbers < text, numbers by value, text by
//   bytes basalt_is(a, b)                   a IS b (NULL-safe) basalt_like(v, p)                 v
//   LIKE p ESCAPE '\', ASCII case folding, '_' one character basalt_lower, basalt_concat_pct,
//   basalt_coalesce_empty basalt_json_extract(x, path), basalt_json_each(x, normalize),
//   basalt_json_length(x), basalt_json_value(jsonb)          json_extract / json_each /
//   json_array_length as PocketBase
//                                     spells them on SQLite (see sqlite_filter_dialect.hpp)
//   basalt_geo_distance, basalt_strftime, basalt_sort_key
//
// The statements are idempotent (CREATE OR REPLACE, types created once) and create objects in
// the first schema of the search_path; run them once per database before compiling filters.
#pragma once

#include <string>
#include <vector>

namespace basalt::query {

const std::vector<std::string>& postgres_filter_functions();

}  // namespace basalt::query
