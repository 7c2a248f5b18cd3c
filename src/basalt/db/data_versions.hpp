// DataVersions: a version number per table, moved on by every commit that wrote the table, so
// that a cache of read results (the records list's COUNT cache) can tell whether what a result
// was computed from has changed since.
//
// Thread-safety: every member takes mutex_; the writer bumps, any thread stamps.
//
// Invariants:
//  1. Versions come from one counter that only grows: a bump gives each named table (or, for
//     bump_all, every table) a number larger than any stamp taken before it.
//  2. A table never written reads as the version of the last bump_all (0 at first).
//  3. The backend bumps after the commit that wrote the tables and before any caller of that
//     commit resumes. A stamp taken before a statement started and equal to a stamp taken
//     later means no commit reported to anyone in between wrote those tables.
//  4. bump_all forgets every per-table entry (all of them are older), so the map holds only
//     the tables written since the last schema change.
#pragma once

#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace basalt::db {

// What a statement reads: its tables (ASCII lowercase, sorted, unique), and whether a cached
// result of it may be reused while they are unchanged. It may not when it reads through a view
// (a view's definition may call functions such as datetime('now') whose value moves without
// any write).
struct ReadSet {
  std::vector<std::string> tables;
  bool cacheable = true;
};

class DataVersions {
 public:
  // The versions of `tables`, in the same order.
  std::vector<std::uint64_t> stamp(std::span<const std::string> tables) const;
  // After a commit that wrote `tables` (ASCII lowercase).
  void bump(std::span<const std::string> tables);
  // After a commit that changed the schema or wrote tables that could not be named.
  void bump_all();

 private:
  mutable std::mutex mutex_;
  std::uint64_t clock_ = 0;        // guarded by mutex_: the last version handed out
  std::uint64_t all_version_ = 0;  // guarded by mutex_: the version of the last bump_all
  std::unordered_map<std::string, std::uint64_t> tables_;  // guarded by mutex_
};

// ASCII lowercase: SQLite compares table names case-insensitively in ASCII only.
std::string table_key(std::string_view name);

}  // namespace basalt::db
