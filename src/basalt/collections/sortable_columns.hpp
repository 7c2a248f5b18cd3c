// The one-time migration of a PostgreSQL database made before its collection columns were
// created in the "C" collation and its indexes with SQLite's NULL order (docs/postgres.md,
// "Collation and key order"). The filter printer compares and sorts text COLLATE "C" and puts
// NULL first ascending; an index of another collation or NULL order serves neither, so a list
// with a sort scanned and sorted the whole table.
//
// The step, inside the migration's write job (one transaction: all or nothing):
//  1. the views of view collections are dropped (a column a view reads cannot change type),
//     last-made first;
//  2. every text column of every table of the schema (system tables included) that is not of
//     Dialect::column_definition_type(kText) is re-typed; PostgreSQL rebuilds its indexes;
//  3. every index of every table collection is dropped and made again as create_statements()
//     makes it today (the key order);
//  4. the views are made again, first-made first.
// Nothing happens where the dialect has nothing to re-type (SQLite).
#pragma once

#include <boost/asio/awaitable.hpp>

#include "basalt/db/dialect.hpp"
#include "basalt/db/transaction.hpp"

namespace basalt::collections {

boost::asio::awaitable<void> make_columns_sortable(db::Transaction& tx, const db::Dialect& dialect);

}  // namespace basalt::collections
