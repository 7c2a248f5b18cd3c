// StatementNames: one connection's named prepared statements, an LRU from SQL text to the
// name it was prepared under ("b1", "b2", ...). Names are never reused on a connection, so a
// statement evicted here and not yet deallocated on the server cannot be confused with a new
// one.
//
// Owned by its connection; not synchronized.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt::db::postgres {

class StatementNames {
 public:
  explicit StatementNames(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // The name `sql` is prepared under (now the most recently used), or null.
  const std::string* find(std::string_view sql);
  // The name a new statement for `sql` would get; add() it once the server prepared it.
  std::string next_name() const { return "b" + std::to_string(counter_ + 1); }
  // Records `sql` as prepared under next_name(). Returns the name of the least recently used
  // statement when that had to go (the caller deallocates it on the server).
  std::optional<std::string> add(std::string_view sql);
  // Forgets `sql` (its statement is gone or unusable); returns its name if it was known.
  std::optional<std::string> remove(std::string_view sql);
  // Forgets everything (the session that held the statements ended).
  void clear() noexcept;

  std::size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    std::string name;
    std::list<std::string>::iterator recency;
  };
  std::size_t capacity_;
  std::uint64_t counter_ = 0;
  std::list<std::string> recency_;  // SQL texts, most recently used first
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace basalt::db::postgres
