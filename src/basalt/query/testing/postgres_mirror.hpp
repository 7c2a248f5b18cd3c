// PostgresMirror (tests only): the collections and records of a FilterFixture (SQLite) copied
// into a PostgreSQL schema (db::testing::LibpqSession), so that one compiled filter can run on
// both engines. Tables come from collections::create_statements with PostgresDialect, the
// filter functions from PostgresFilterDialect::setup_statements(); rows are copied field by
// field as the fixture stored them, every value sent as untyped text as the driver sends it.
#pragma once

#include <string>
#include <vector>

#include "basalt/db/testing/libpq_session.hpp"
#include "basalt/query/compiled_query.hpp"
#include "basalt/query/testing/filter_fixture.hpp"

namespace basalt::query::testing {

class PostgresMirror {
 public:
  PostgresMirror(FilterFixture& fixture, db::testing::LibpqSession& pg);

  // Creates the tables of the fixture's collections not mirrored yet.
  void sync_tables();
  // Replaces every mirrored table's rows with the fixture's.
  void copy_rows();

  // The ids (sorted) `query` (compiled for PostgresDialect) selects; throws on a SQL error.
  std::vector<std::string> ids(const CompiledQuery& query);
  // The ids in the order of the query's ORDER BY.
  std::vector<std::string> ordered_ids(const CompiledQuery& query);

  // db::Params as the text parameters libpq sends (NULL as nullopt).
  static std::vector<db::testing::PgCell> text_params(const db::Params& params);

 private:
  FilterFixture& fixture_;
  db::testing::LibpqSession& pg_;
  std::vector<std::string> tables_;
};

}  // namespace basalt::query::testing
