#include "basalt/db/postgres/relation_catalog.hpp"

#include <algorithm>

namespace basalt::db::postgres {

void RelationCatalog::replace(const ResultSet& relations) {
  std::unordered_map<std::string, char> fresh;
  for (auto row : relations) {
    const std::string_view kind = row.as_text(1);
    fresh.emplace(std::string(row.as_text(0)), kind.empty() ? 'r' : kind.front());
  }
  std::lock_guard lock(mutex_);
  relations_.swap(fresh);
}

ReadSet RelationCatalog::read_set(const std::vector<std::string>& identifiers) const {
  ReadSet reads;
  {
    std::lock_guard lock(mutex_);
    for (const std::string& name : identifiers) {
      const auto found = relations_.find(name);
      if (found == relations_.end()) continue;
      // A view's rows can change without a write to a table it names here (its definition
      // may read the clock); a materialized view changes on REFRESH.
      if (found->second == 'v' || found->second == 'm') reads.cacheable = false;
      reads.tables.push_back(table_key(name));
    }
  }
  std::sort(reads.tables.begin(), reads.tables.end());
  reads.tables.erase(std::unique(reads.tables.begin(), reads.tables.end()), reads.tables.end());
  return reads;
}

std::optional<RelationInfo> RelationCatalog::find(unsigned oid) const {
  std::lock_guard lock(mutex_);
  const auto found = described_.find(oid);
  if (found == described_.end()) return std::nullopt;
  return found->second;
}

void RelationCatalog::remember(const ResultSet& rows) {
  std::lock_guard lock(mutex_);
  for (auto row : rows) {
    const auto oid = static_cast<unsigned>(row.as_int(0));
    RelationInfo& info = described_[oid];
    info.name = std::string(row.as_text(1));
    const std::string_view kind = row.as_text(2);
    info.kind = kind.empty() ? 'r' : kind.front();
    info.columns[static_cast<int>(row.as_int(3))] = std::string(row.as_text(4));
    if (!row.is_null(5)) info.view_sql = std::string(row.as_text(5));
  }
}

void RelationCatalog::clear_descriptions() {
  std::lock_guard lock(mutex_);
  described_.clear();
}

}  // namespace basalt::db::postgres
