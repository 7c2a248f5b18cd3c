// The durable queue of stored files a collection change dropped (docs/files.md, "Files of
// removed fields and collections"): the internal table `_fileRemovals`, written in the same
// transaction as the change, emptied by records::FileRemovalDrain after the files are gone.
//
// Why a table and not a list in memory: the names of a removed file field are in the column the
// change drops, so they must be read before its DDL, in its transaction. One INSERT ... SELECT
// copies them inside SQLite (no row of a 100k-record collection passes through the writer's
// memory), and a crash between the commit and the removals loses nothing: the drain starts over
// from the table at the next start.
//
// What a change queues (PocketBase drops a removed field's column and keeps its files; Basalt
// removes every stored file that no record names any more, now rather than at the next
// start's orphan sweep):
//   - a file field removed (its id is gone): every name it held, per record;
//   - a multi-file field turned single (maxSelect > 1 -> 1): the column keeps only the last
//     name (table_ddl.hpp), so the others, per record;
//   - a base or auth collection deleted: its whole `<collectionId>/` prefix.
// A renamed field, a field whose maxSelect changes within multiple (values untouched), or any
// other option change queues nothing: files are keyed by record, and the names stay.
//
// Thread safety: stateless functions; the queue_* ones run inside a write job.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/database.hpp"
#include "basalt/db/transaction.hpp"
#include "basalt/schema/collection.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::collections {

inline constexpr std::string_view kFileRemovalsTable = "_fileRemovals";

// id (random), collectionId, recordId ("" for a whole collection), names (the dropped column's
// stored value: one name or a JSON array), keepLast (true: every name but the last).
schema::TableSpec file_removals_table();

// Inside the job of a change from `old` to `updated`, BEFORE its DDL (it reads the columns the
// DDL drops, in `old`'s table). True when it queued a statement's worth of rows (maybe none).
boost::asio::awaitable<bool> queue_dropped_field_files(db::Transaction& tx,
                                                       const db::Dialect& dialect,
                                                       const schema::Collection& old,
                                                       const schema::Collection& updated);
// Inside the job that deletes `deleted`. True when something was queued (views have no files).
boost::asio::awaitable<bool> queue_collection_files(db::Transaction& tx, const db::Dialect& dialect,
                                                    const schema::Collection& deleted);

// One queued removal, as the drain reads it.
struct FileRemoval {
  std::string id;
  std::string collection_id;
  std::string record_id;           // empty: the whole collection prefix
  std::vector<std::string> names;  // to remove (keepLast already applied)
};

// The decoded names of a queued row: `stored` is one name or a JSON array of names.
std::vector<std::string> dropped_names(std::string_view stored, bool keep_last);

// Up to `limit` queued removals, in no particular order (a read connection).
boost::asio::awaitable<std::vector<FileRemoval>> next_file_removals(db::Database& database,
                                                                    std::size_t limit);
// Deletes the rows `ids` (one small write job).
boost::asio::awaitable<void> forget_file_removals(db::Database& database,
                                                  const std::vector<std::string>& ids);

}  // namespace basalt::collections
