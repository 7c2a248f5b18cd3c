// CollectionStore: collection definitions as rows of the `_collections` system table.
//
// The table mirrors PocketBase's (id, system, type, name, fields, indexes, the five rules,
// options, created, updated), so a data.db from either side reads the same. A row holds the
// collection's storage JSON (schema::JsonForm::kStorage, secrets included): the top-level keys
// that have columns go to them, every other key (auth options, viewQuery) into `options`.
//
// Every function is stateless; reads through a Transaction see the job's own writes.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <vector>

#include "basalt/db/database.hpp"
#include "basalt/db/transaction.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::collections {

inline constexpr std::string_view kCollectionsTable = "_collections";

// The DDL of `_collections` (a system migration), in `dialect`'s spelling.
boost::asio::awaitable<void> create_collections_table(db::Transaction& tx,
                                                      const db::Dialect& dialect);

// Every stored collection, in creation order.
boost::asio::awaitable<std::vector<schema::Collection>> load_collections(
    db::Transaction& tx, const db::Dialect& dialect);
boost::asio::awaitable<std::vector<schema::Collection>> load_collections(db::Database& database);

// `dialect` spells the statements' placeholders.
boost::asio::awaitable<void> insert_collection(db::Transaction& tx, const db::Dialect& dialect,
                                               const schema::Collection& collection);
// Replaces the row with the collection's id.
boost::asio::awaitable<void> update_collection(db::Transaction& tx, const db::Dialect& dialect,
                                               const schema::Collection& collection);
boost::asio::awaitable<void> delete_collection(db::Transaction& tx, const db::Dialect& dialect,
                                               std::string_view id);

}  // namespace basalt::collections
