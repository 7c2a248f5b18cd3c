// FilterFixture (tests and benchmarks only): a real SQLite database in a temp directory holding
// the system collections plus collections and records a test declares, and the plumbing to run
// compiled filters against it.
//
// Records are given as JSON objects in their served form; a field left out gets its zero value
// and is stored as the records service stores it (text, REAL, INTEGER 0/1, JSON text or NULL).
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/db/database.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/query/compiled_query.hpp"
#include "basalt/query/lowering.hpp"
#include "basalt/query/plan.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::query::testing {

// 2024-05-17 10:20:30.456 UTC, a Friday: every test's "now".
Clock::time_point fixed_now();

class FilterFixture {
 public:
  FilterFixture();
  ~FilterFixture();

  // Creates a collection from its JSON (POST /api/collections shape) and its table.
  const schema::Collection& add_collection(std::string_view json);
  // Stores a record (must hold "id").
  void insert(std::string_view collection, const boost::json::object& record);
  void insert(std::string_view collection, std::string_view record_json);

  const schema::Collection& collection(std::string_view name) const;
  std::span<const schema::Collection> collections() const { return collections_; }
  db::Database& database() { return *database_; }

  // A ResolveContext for `collection`; `auth_collection` names the requester's collection
  // ("" for a guest).
  ResolveContext context(std::string_view collection, ResolveMode mode, bool superuser = false,
                         std::string_view auth_collection = {}) const;

  // Ids (sorted) of the rows `query` selects from its table.
  std::vector<std::string> ids(const CompiledQuery& query);
  // The stored row of a record, one value per field in field order.
  std::vector<db::Value> row(std::string_view collection, std::string_view id);
  // Every record id of a collection, sorted.
  std::vector<std::string> all_ids(std::string_view collection);

  // Parses, resolves and runs `filter` on `collection`; the matching ids, sorted.
  std::vector<std::string> filter_ids(std::string_view collection, std::string_view filter,
                                      const RequestInfo& request = {},
                                      ResolveMode mode = ResolveMode::kRule,
                                      bool superuser = false);

 private:
  db::testing::TempDir dir_;
  std::unique_ptr<db::Database> database_;
  std::vector<schema::Collection> collections_;
};

// The stored SQL value of a field value in served form (see above).
db::Value stored_value(const schema::Field& field, const boost::json::value& value);

}  // namespace basalt::query::testing
