// StatementCache: one connection's prepared statements, keyed by their SQL text, with the
// least recently used one finalized once more than `capacity` are held.
//
// Invariants:
//  1. Every cached statement is reset and has no bindings whenever the cache hands it out
//     (Connection resets and clears it after each use), so a hit is ready to bind.
//  2. A statement handed out by find() or insert() stays cached until the next insert():
//     eviction only happens in insert() and never drops the entry being inserted, so a
//     connection running one statement at a time never loses the one it runs.
//  3. Keys are views into the entries' own strings, which live in list nodes that never move.
//
// Owned by one Connection and used only by the thread using that connection.
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt::db::sqlite {

struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using StatementHandle = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

class StatementCache {
 public:
  explicit StatementCache(std::size_t capacity);  // capacity >= 1 (std::invalid_argument)
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // The statement cached for `sql`, now the most recently used; nullptr if there is none.
  sqlite3_stmt* find(std::string_view sql);

  // Caches `statement` (non-null) for `sql`, which must not be cached yet, as the most
  // recently used entry, finalizing the least recently used one if over capacity.
  sqlite3_stmt* insert(std::string_view sql, StatementHandle statement);

  std::size_t size() const noexcept { return entries_.size(); }
  std::size_t capacity() const noexcept { return capacity_; }

  // Finalizes every statement (before the connection closes).
  void clear() noexcept;

 private:
  struct Entry {
    std::string sql;
    StatementHandle statement;
  };

  std::size_t capacity_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

}  // namespace basalt::db::sqlite
