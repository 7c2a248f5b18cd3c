#include "basalt/collections/email_index.hpp"

#include <spdlog/spdlog.h>

#include <optional>

#include "basalt/collections/collection_store.hpp"
#include "basalt/collections/table_ddl.hpp"
#include "basalt/schema/collection.hpp"
#include "basalt/schema/index_sql.hpp"

namespace basalt::collections {
namespace {

// The email index and where it sits in `indexes`, when it is case-sensitive.
struct SensitiveIndex {
  std::size_t position;
  schema::IndexDefinition definition;
};

std::optional<SensitiveIndex> case_sensitive_email_index(const schema::Collection& collection) {
  if (!collection.is_auth()) return std::nullopt;
  for (std::size_t i = 0; i < collection.indexes.size(); ++i) {
    auto index = schema::IndexDefinition::parse(collection.indexes[i]);
    if (!index || !index->unique || index->columns.size() != 1 ||
        !schema::iequals(index->columns[0].name, schema::kFieldEmail)) {
      continue;
    }
    // "NOCASE" here is the index definition's own text (PocketBase's index syntax, stored in
    // the collection), not SQL that Basalt builds.
    if (schema::iequals(index->columns[0].collate, "NOCASE")) return std::nullopt;
    return SensitiveIndex{i, std::move(*index)};
  }
  return std::nullopt;
}

// Finds one pair of rows the index covers whose emails differ only in case.
std::string duplicates_sql(const schema::Collection& collection,
                           const schema::IndexDefinition& index, const db::Dialect& dialect) {
  const std::string email = dialect.quote_identifier(schema::kFieldEmail);
  std::string sql = "SELECT 1 FROM " + dialect.quote_identifier(collection.name);
  if (!index.where.empty()) sql += " WHERE " + index.where;
  return sql + " GROUP BY " + dialect.ignoring_case(email) + " HAVING COUNT(*) > 1 LIMIT 1";
}

}  // namespace

boost::asio::awaitable<bool> make_email_indexes_case_insensitive(db::Transaction& tx,
                                                                 const db::Dialect& dialect) {
  bool changed = false;
  for (const schema::Collection& old : co_await load_collections(tx, dialect)) {
    auto index = case_sensitive_email_index(old);
    if (!index) continue;
    db::ResultSet duplicates = co_await tx.query(duplicates_sql(old, index->definition, dialect));
    if (!duplicates.empty()) {
      spdlog::warn(
          "collection {} holds emails that differ only in letter case; its email index stays "
          "case-sensitive (resolve the duplicates, then add COLLATE NOCASE to the index)",
          old.name);
      continue;
    }
    schema::Collection updated = old;
    index->definition.columns[0].collate = "NOCASE";
    updated.indexes[index->position] = index->definition.build();
    for (const auto& statement : update_statements(old, updated, dialect)) {
      co_await tx.execute(statement);
    }
    co_await update_collection(tx, dialect, updated);
    spdlog::info("collection {}: email index is now case-insensitive", old.name);
    changed = true;
  }
  co_return changed;
}

boost::asio::awaitable<std::vector<std::string>> case_variant_email_collections(
    db::Database& database, const Catalog& catalog) {
  std::vector<std::string> names;
  for (const schema::Collection& collection : catalog.all()) {
    auto index = case_sensitive_email_index(collection);
    if (!index) continue;
    db::ResultSet duplicates =
        co_await database.query(duplicates_sql(collection, index->definition, database.dialect()));
    if (!duplicates.empty()) names.push_back(collection.name);
  }
  co_return names;
}

}  // namespace basalt::collections
