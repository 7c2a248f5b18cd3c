#include "basalt/collections/sortable_columns.hpp"

#include <string>
#include <utility>
#include <vector>

#include "basalt/collections/collection_store.hpp"
#include "basalt/collections/table_ddl.hpp"

namespace basalt::collections {

boost::asio::awaitable<void> make_columns_sortable(db::Transaction& tx,
                                                   const db::Dialect& dialect) {
  const std::string_view retype_query = dialect.text_columns_to_retype_query();
  if (retype_query.empty()) co_return;
  const std::vector<schema::Collection> collections = co_await load_collections(tx, dialect);

  std::vector<std::string> statements;
  for (auto it = collections.rbegin(); it != collections.rend(); ++it) {
    if (!it->is_view()) continue;
    for (std::string& drop : drop_statements(*it, dialect)) statements.push_back(std::move(drop));
  }
  for (const std::string& statement : statements) co_await tx.execute(statement);
  statements.clear();

  // Listed after the views are gone: the query sees tables only, but reads the catalog once.
  const db::ResultSet columns = co_await tx.query(retype_query);
  const std::string text_type(dialect.column_definition_type(db::ColumnType::kText));
  for (const db::ResultSet::Row row : columns) {
    statements.push_back("ALTER TABLE " + dialect.quote_identifier(row.as_text(0)) +
                         " ALTER COLUMN " + dialect.quote_identifier(row.as_text(1)) + " TYPE " +
                         text_type);
  }
  for (const schema::Collection& collection : collections) {
    for (std::string& index : recreate_index_statements(collection, dialect)) {
      statements.push_back(std::move(index));
    }
  }
  for (const schema::Collection& collection : collections) {
    if (!collection.is_view()) continue;
    for (std::string& create : create_statements(collection, dialect)) {
      statements.push_back(std::move(create));
    }
  }
  for (const std::string& statement : statements) co_await tx.execute(statement);
}

}  // namespace basalt::collections
