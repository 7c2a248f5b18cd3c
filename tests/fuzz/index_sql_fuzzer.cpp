// libFuzzer target for the index statement parser (schema/index_sql.hpp). A collection's
// `indexes` entries come from API clients, and what IndexDefinition::build() returns for them
// is executed as DDL (collections/table_ddl.cpp), so besides never crashing, hanging, leaking
// or tripping a sanitizer:
//
//  - a refused statement says why;
//  - a definition that parses and is valid builds one statement that scans cleanly (no comment,
//    no ';', quotes closed) and parses back to the same definition, also after being aimed at
//    another table the way table_ddl does;
//  - SQLite, preparing the built statement against a table with a few columns, either refuses
//    it or consumes all of it: nothing can trail the index as a second statement.
#include <sqlite3.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "basalt/schema/index_sql.hpp"
#include "basalt/schema/sql_tokens.hpp"

namespace {

using basalt::schema::IndexDefinition;

void require(bool condition, const char* what, std::string_view sql = {}) {
  if (!condition) {
    std::fprintf(stderr, "invariant violated: %s\n%.*s\n", what, static_cast<int>(sql.size()),
                 sql.data());
    std::abort();
  }
}

sqlite3* database() {
  static sqlite3* db = [] {
    sqlite3* opened = nullptr;
    require(sqlite3_open(":memory:", &opened) == SQLITE_OK, "sqlite opens");
    require(sqlite3_exec(opened, "CREATE TABLE t (id TEXT, a TEXT, b INTEGER, c JSON)", nullptr,
                         nullptr, nullptr) == SQLITE_OK,
            "fixture table");
    return opened;
  }();
  return db;
}

void check_built(const IndexDefinition& index) {
  std::string built = index.build();
  require(!built.empty(), "a valid definition builds");
  std::string error;
  auto tokens = basalt::schema::detail::tokenize_sql(built, false, &error);
  require(tokens.has_value(), "the built statement scans without comments or open quotes", built);
  for (const auto& token : *tokens) require(!token.is_punct(';'), "no ';' in the build", built);

  auto again = IndexDefinition::parse(built, &error);
  require(again.has_value(), "the built statement parses", built);
  require(*again == index, "the built statement parses to the same definition", built);

  sqlite3_stmt* statement = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(database(), built.c_str(), static_cast<int>(built.size()), &statement,
                         &tail) == SQLITE_OK) {
    sqlite3_finalize(statement);
    require(tail == built.c_str() + built.size(), "SQLite consumes the whole statement", built);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view sql(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto index = IndexDefinition::parse(sql, &error);
  if (!index) {
    require(!error.empty(), "a refusal names its reason");
    return 0;
  }
  require(!index->columns.empty(), "a parsed index has columns");
  if (!index->valid()) return 0;
  check_built(*index);
  // As table_ddl.cpp runs it: on the collection's own table, without a schema.
  index->table_name = "t";
  index->schema_name.clear();
  check_built(*index);
  return 0;
}
