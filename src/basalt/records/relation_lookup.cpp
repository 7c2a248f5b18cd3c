#include "basalt/records/relation_lookup.hpp"

#include <algorithm>

namespace basalt::records {
namespace {

constexpr std::size_t kIdsPerStatement = 500;

}  // namespace

std::optional<std::size_t> PrefetchedLookup::count_existing(std::string_view collection_id,
                                                            std::span<const std::string> ids) {
  if (recording_) {
    auto& asked = existing_[std::string(collection_id)];
    asked.insert(ids.begin(), ids.end());
    return ids.size();
  }
  if (unknown_collections_.contains(collection_id)) return std::nullopt;
  auto it = existing_.find(collection_id);
  if (it == existing_.end()) return 0;
  return static_cast<std::size_t>(std::count_if(
      ids.begin(), ids.end(), [&](const std::string& id) { return it->second.contains(id); }));
}

bool PrefetchedLookup::id_exists(const schema::Collection& collection, std::string_view id,
                                 bool ignore_case) {
  IdQuestion question{collection.name, std::string(id), ignore_case};
  if (recording_) {
    ids_asked_.emplace(std::move(question), false);
    return false;
  }
  auto it = ids_asked_.find(question);
  return it != ids_asked_.end() && it->second;
}

boost::asio::awaitable<void> PrefetchedLookup::answer(db::Transaction& tx,
                                                      const db::Dialect& dialect,
                                                      const collections::Catalog& catalog) {
  for (auto& [collection_id, ids] : existing_) {
    const schema::Collection* collection = catalog.find(collection_id);
    if (!collection || collection->id != collection_id) {
      unknown_collections_.emplace(collection_id, true);
      ids.clear();
      as_recorded_ = false;
      continue;
    }
    std::vector<std::string> asked(ids.begin(), ids.end());
    ids.clear();
    const std::string prefix = "SELECT " + dialect.quote_identifier(schema::kFieldId) + " FROM " +
                               dialect.quote_identifier(collection->name) + " WHERE " +
                               dialect.quote_identifier(schema::kFieldId) + " IN (";
    for (std::size_t start = 0; start < asked.size(); start += kIdsPerStatement) {
      const std::size_t end = std::min(asked.size(), start + kIdsPerStatement);
      std::string sql = prefix;
      db::Params params;
      for (std::size_t i = start; i < end; ++i) {
        if (i > start) sql += ", ";
        sql += dialect.placeholder(i - start + 1);
        params.emplace_back(asked[i]);
      }
      sql += ")";
      db::ResultSet rows = co_await tx.query(sql, params);
      for (auto row : rows) ids.insert(std::string(row.as_text(0)));
    }
    if (ids.size() != asked.size()) as_recorded_ = false;
  }
  for (auto& [question, exists] : ids_asked_) {
    const std::string id = dialect.quote_identifier(schema::kFieldId);
    const std::string sql =
        "SELECT 1 FROM " + dialect.quote_identifier(question.table) + " WHERE " +
        (question.ignore_case ? dialect.equals_ignoring_case(id, dialect.placeholder(1))
                              : id + " = " + dialect.placeholder(1)) +
        " LIMIT 1";
    db::ResultSet rows = co_await tx.query(sql, question.id);
    exists = !rows.empty();
    if (exists) as_recorded_ = false;
  }
  recording_ = false;
}

void PrefetchedLookup::prepare_confirmation(const db::Dialect& dialect,
                                            const collections::Catalog& catalog) {
  confirmations_.clear();
  unconfirmable_ = false;
  const std::string id = dialect.quote_identifier(schema::kFieldId);
  for (const auto& [collection_id, ids] : existing_) {
    const schema::Collection* collection = catalog.find(collection_id);
    if (!collection || collection->id != collection_id ||
        ids.size() > kIdsPerStatement) {  // answer() splits those; rare enough to leave to it
      unconfirmable_ = true;
      return;
    }
    Confirmation check;
    check.sql = "SELECT COUNT(*) FROM " + dialect.quote_identifier(collection->name) + " WHERE " +
                id + " IN (";
    for (const auto& value : ids) {
      if (!check.params.empty()) check.sql += ", ";
      check.params.emplace_back(value);
      check.sql += dialect.placeholder(check.params.size());
    }
    check.sql += ")";
    check.expected = static_cast<std::int64_t>(ids.size());
    confirmations_.push_back(std::move(check));
  }
  for (const auto& [question, exists] : ids_asked_) {
    Confirmation check;
    const std::string key = dialect.placeholder(1);
    // The subquery's alias: PostgreSQL 15 wants one in FROM.
    check.sql = "SELECT COUNT(*) FROM (SELECT 1 FROM " + dialect.quote_identifier(question.table) +
                " WHERE " +
                (question.ignore_case ? dialect.equals_ignoring_case(id, key) : id + " = " + key) +
                " LIMIT 1) AS " + dialect.quote_identifier("found");
    check.params.emplace_back(question.id);
    confirmations_.push_back(std::move(check));
  }
}

boost::asio::awaitable<bool> PrefetchedLookup::confirms_recording(db::Transaction& tx) const {
  if (unconfirmable_) co_return false;
  for (const auto& check : confirmations_) {
    db::ResultSet rows = co_await tx.query(check.sql, check.params);
    if (rows.empty() || rows[0].as_int(0) != check.expected) co_return false;
  }
  co_return true;
}

}  // namespace basalt::records
