// RelationCatalog: what the PostgreSQL driver knows of the relations (tables, views) in the
// session's schemas, for read_set() and describe(). Thread-safe (mutex_).
//
// Invariants:
//  1. The relation names are loaded when the database opens and again inside every write
//     transaction that changed the schema, before its COMMIT (so the list matches what the
//     commit made visible); replace() swaps them in after the commit, before its caller
//     resumes. Schema changes made outside this process are not seen (next part: many
//     instances).
//  2. The per-OID descriptions (names of a relation and its columns, a view's definition)
//     are cached until the next schema change committed through this process (clear()).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/db/data_versions.hpp"
#include "basalt/db/result_set.hpp"

namespace basalt::db::postgres {

// The statement that lists the relations (relname, relkind) of the session's schemas.
inline constexpr std::string_view kListRelationsSql =
    "SELECT c.relname, c.relkind::text FROM pg_catalog.pg_class c "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relnamespace IN "
    "(SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY "
    "(pg_catalog.current_schemas(false)))";

// The statement that describes relations by OID: one row per column (oid, relname, relkind,
// attnum, attname, the view's definition or NULL). $1: the OIDs as an array literal.
inline constexpr std::string_view kDescribeRelationsSql =
    "SELECT c.oid::int8, c.relname::text, c.relkind::text, a.attnum::int8, a.attname::text, "
    "CASE WHEN c.relkind = 'v' THEN pg_catalog.pg_get_viewdef(c.oid) END "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid "
    "AND a.attnum > 0 AND NOT a.attisdropped WHERE c.oid = ANY ($1::oid[])";

struct RelationInfo {
  std::string name;
  char kind = 'r';
  std::map<int, std::string> columns;  // attnum -> name
  std::string view_sql;                // a view's SELECT
};

class RelationCatalog {
 public:
  // From the rows of kListRelationsSql.
  void replace(const ResultSet& relations);
  // The tables `identifiers` name (table_key() names, sorted, unique); not cacheable when one
  // is a view or materialized view.
  ReadSet read_set(const std::vector<std::string>& identifiers) const;

  std::optional<RelationInfo> find(unsigned oid) const;
  // From the rows of kDescribeRelationsSql.
  void remember(const ResultSet& rows);
  void clear_descriptions();

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::string, char> relations_;  // name as stored -> relkind
  std::unordered_map<unsigned, RelationInfo> described_;
};

}  // namespace basalt::db::postgres
