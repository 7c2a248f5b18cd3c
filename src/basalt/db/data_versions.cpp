#include "basalt/db/data_versions.hpp"

#include <algorithm>

namespace basalt::db {

std::vector<std::uint64_t> DataVersions::stamp(std::span<const std::string> tables) const {
  std::vector<std::uint64_t> out;
  out.reserve(tables.size());
  std::lock_guard lock(mutex_);
  for (const std::string& table : tables) {
    const auto found = tables_.find(table);
    out.push_back(found == tables_.end() ? all_version_ : found->second);
  }
  return out;
}

void DataVersions::bump(std::span<const std::string> tables) {
  if (tables.empty()) return;
  std::lock_guard lock(mutex_);
  const std::uint64_t version = ++clock_;
  for (const std::string& table : tables) tables_.insert_or_assign(table, version);
}

void DataVersions::bump_all() {
  std::lock_guard lock(mutex_);
  all_version_ = ++clock_;
  tables_.clear();  // invariant 4
}

std::string table_key(std::string_view name) {
  std::string key(name);
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return key;
}

}  // namespace basalt::db
