// The lexical check of a view collection's `viewQuery`.
//
// PocketBase dry-runs the query against the database; that part belongs to the caller
// (CollectionLookup::check_view_query). What needs no database is checked here: the text must be a
// single SELECT statement (optionally WITH ... SELECT), comments and trailing semicolons
// aside. The caller then wraps it as `CREATE VIEW v AS SELECT * FROM (<query>)`, as PocketBase
// does, so nothing but a query can run even if this check were fooled.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace basalt::schema {

// nullopt when `query` is one SELECT statement; otherwise why not, e.g.
// "multiple statements are not supported".
std::optional<std::string> check_view_query_shape(std::string_view query);

// `query` with surrounding white space and trailing semicolons removed, ready to be wrapped.
// Wrap it with line breaks - "SELECT * FROM (\n" + query + "\n)" - so that a trailing
// "-- comment" cannot swallow the closing parenthesis.
std::string normalize_view_query(std::string_view query);

}  // namespace basalt::schema
