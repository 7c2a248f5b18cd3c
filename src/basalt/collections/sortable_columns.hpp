// The one-time migration of a PostgreSQL database made before its collection columns were
// created in the "C" collation and its indexes with SQLite's NULL order (docs/postgres.md,
// "Collation and key order"). The filter printer compares and sorts text COLLATE "C" and puts
// NULL first ascending; an index of another collation or NULL order serves neither, so a list
// with a sort scanned and sorted the whole table.
//
// The step, inside the migration's write job (one transaction: all or nothing):
//  1. every view over what changes is listed with what makes it again
//     (pg_depend through the views' rules, any schema): the
//     views of view collections, and views of the user's own that read a collection's table or
//     a view collection, directly or through other views (their SELECT text, options, owner,
//     comment, grants and, materialized, indexes); then all are dropped, readers first;
//  2. every text column of every table of the schema (system tables included) that is not of
//     Dialect::column_definition_type(kText) is re-typed; PostgreSQL rebuilds its indexes;
//  3. every index of every table collection is dropped and made again as create_statements()
//     makes it today (the key order);
//  4. the views are made again, read views first: a view collection's as create_statements()
//     makes it, another from its saved text. (Triggers and rules of such a view, and grants on
//     single columns of it, are not saved.)
// Nothing happens where the dialect has nothing to re-type (SQLite).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/db/dialect.hpp"
#include "basalt/db/transaction.hpp"

namespace basalt::collections {

boost::asio::awaitable<void> make_columns_sortable(db::Transaction& tx, const db::Dialect& dialect);

}  // namespace basalt::collections
