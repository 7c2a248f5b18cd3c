// Case-insensitive email uniqueness of auth collections (issue M1.6 item 10).
//
// New auth collections get `CREATE UNIQUE INDEX ... (`email` COLLATE NOCASE) WHERE `email` !=
// ''` (schema/collection_defaults.cpp), so "Dana@Example.com" cannot be registered next to
// "dana@example.com". PocketBase's default index is case-sensitive; databases made before
// this change (or imported from PocketBase) are migrated once:
//  - an auth collection whose single-column unique email index lacks COLLATE NOCASE and whose
//    table holds no two emails differing only in ASCII case gets COLLATE NOCASE added to that
//    index (name and WHERE kept; definition and table together);
//  - one that holds such duplicates keeps its index and goes on working: it is named in a
//    warning by the migration and at every start (case_variant_email_collections), until the
//    duplicates are resolved and the index is changed (e.g. through the collections API).
// NOCASE folds ASCII letters only, as SQLite does; so does the duplicate check.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <vector>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/database.hpp"
#include "basalt/db/transaction.hpp"

namespace basalt::collections {

// The migration step (run inside its write job): adds COLLATE NOCASE where it is safe, logs
// the collections it left alone, and returns whether any definition changed.
boost::asio::awaitable<bool> make_email_indexes_case_insensitive(db::Transaction& tx,
                                                                 const db::Dialect& dialect);

// Names of the auth collections of `catalog` whose email index is still case-sensitive and
// whose table holds emails that differ only in case. Reads only those tables (a collection
// with a NOCASE unique index cannot hold any).
boost::asio::awaitable<std::vector<std::string>> case_variant_email_collections(
    db::Database& database, const Catalog& catalog);

}  // namespace basalt::collections
