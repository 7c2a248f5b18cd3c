#include "basalt/db/sqlite/statement_cache.hpp"

#include <stdexcept>

namespace basalt::db::sqlite {

StatementCache::StatementCache(std::size_t capacity) : capacity_(capacity) {
  if (capacity_ == 0) throw std::invalid_argument("statement cache capacity must be at least 1");
}

sqlite3_stmt* StatementCache::find(std::string_view sql) {
  auto found = index_.find(sql);
  if (found == index_.end()) return nullptr;
  entries_.splice(entries_.begin(), entries_, found->second);
  return found->second->statement.get();
}

sqlite3_stmt* StatementCache::insert(std::string_view sql, StatementHandle statement) {
  entries_.push_front(Entry{std::string(sql), std::move(statement)});
  index_.emplace(entries_.front().sql, entries_.begin());
  if (entries_.size() > capacity_) {
    index_.erase(entries_.back().sql);
    entries_.pop_back();
  }
  return entries_.front().statement.get();
}

void StatementCache::clear() noexcept {
  index_.clear();
  entries_.clear();
}

}  // namespace basalt::db::sqlite
