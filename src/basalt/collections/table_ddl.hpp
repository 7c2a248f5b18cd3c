// Schema change -> DDL: the SQL statements that turn the stored table (or view) of a collection
// from one definition into the next.
//
// Invariants:
//  1. Every statement names tables, columns and indexes only through Dialect::quote_identifier
//     (index statements are re-emitted from their parsed form), and binds no values: schema
//     text never carries client data other than names, which validation already restricted to
//     `^\w+$`.
//  2. The statements are meant to run in order inside ONE write job, so a failing statement
//     rolls every earlier one back: the old schema and all rows stay as they were.
//  3. Columns are matched across versions by field id, so a renamed field keeps its data.
//  4. Collection tables carry no FOREIGN KEY constraints (relations are enforced by the record
//     service, as in PocketBase), so a table rebuild cannot break references held by other
//     tables; views over a rebuilt table are re-validated when they are next queried.
//
// Paths, for base and auth collections:
//  - create: CREATE TABLE, then its indexes;
//  - delete: DROP TABLE (its indexes go with it);
//  - update: the old indexes are dropped first and the new ones created last; a rename is an
//    ALTER TABLE ... RENAME TO; added fields are ADD COLUMN and renamed ones RENAME COLUMN;
//    when a field is removed or its column changes shape (e.g. a select going from one value to
//    many), the table is rebuilt: a new table, the rows copied (converting the changed
//    columns), the old one dropped and the new one renamed into place.
// View collections are always dropped and re-created from their query.
#pragma once

#include <string>
#include <vector>

#include "basalt/db/dialect.hpp"
#include "basalt/schema/collection.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::collections {

// CREATE TABLE (or VIEW) plus index statements for a new collection.
std::vector<std::string> create_statements(const schema::Collection& collection,
                                           const db::Dialect& dialect);

// CREATE TABLE for a system table that is not a collection (e.g. _params).
std::string create_table_statement(const schema::TableSpec& table, const db::Dialect& dialect);

// DROP statement for a collection being deleted.
std::vector<std::string> drop_statements(const schema::Collection& collection,
                                         const db::Dialect& dialect);

// DROP and CREATE of every index of a table collection, as create_statements() spells them
// today (empty for a view).
std::vector<std::string> recreate_index_statements(const schema::Collection& collection,
                                                   const db::Dialect& dialect);

// The statements that migrate `old` to `updated` (the same collection id). Empty when the
// stored shape does not change (e.g. only rules changed). Throws std::invalid_argument for a
// change that validation should have refused (a type change, a field changing type).
std::vector<std::string> update_statements(const schema::Collection& old,
                                           const schema::Collection& updated,
                                           const db::Dialect& dialect);

}  // namespace basalt::collections
