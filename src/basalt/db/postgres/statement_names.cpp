#include "basalt/db/postgres/statement_names.hpp"

namespace basalt::db::postgres {

const std::string* StatementNames::find(std::string_view sql) {
  const auto found = entries_.find(std::string(sql));
  if (found == entries_.end()) return nullptr;
  recency_.splice(recency_.begin(), recency_, found->second.recency);
  return &found->second.name;
}

std::optional<std::string> StatementNames::add(std::string_view sql) {
  // Prepared twice (the same text twice in one pipeline): the older name goes.
  if (std::optional<std::string> older = remove(sql)) {
    add(sql);
    return older;
  }
  std::optional<std::string> evicted;
  if (entries_.size() >= capacity_) {
    const auto last = entries_.find(recency_.back());
    evicted = std::move(last->second.name);
    entries_.erase(last);
    recency_.pop_back();
  }
  recency_.emplace_front(sql);
  ++counter_;
  entries_.emplace(recency_.front(), Entry{"b" + std::to_string(counter_), recency_.begin()});
  return evicted;
}

std::optional<std::string> StatementNames::remove(std::string_view sql) {
  const auto found = entries_.find(std::string(sql));
  if (found == entries_.end()) return std::nullopt;
  std::optional<std::string> name = std::move(found->second.name);
  recency_.erase(found->second.recency);
  entries_.erase(found);
  return name;
}

void StatementNames::clear() noexcept {
  entries_.clear();
  recency_.clear();
}

}  // namespace basalt::db::postgres
