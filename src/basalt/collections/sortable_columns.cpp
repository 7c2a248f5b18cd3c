#include "basalt/collections/sortable_columns.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "basalt/collections/collection_store.hpp"
#include "basalt/collections/table_ddl.hpp"

namespace basalt::collections {
namespace {

namespace json = boost::json;

// The views (plain and materialized, in any schema) to drop before the columns are re-typed
// and to make again afterwards: every view that reads, maybe through other views, a table with
// a text column to re-type (the conditions of text_columns_to_retype_query()) or a view named
// in $1 (a JSON array of the view collections' names, in the current schema). PostgreSQL's
// catalogs: run only where that query is not empty. A view depends on what its _RETURN rule
// references (pg_depend from pg_rewrite); walking those edges from the tables (level 0) and the
// view collections (level 1) and keeping each view's longest path orders every view after the
// views it reads (bounded: 64 levels). One row per view: name (qualified where the search_path
// needs it), relkind, level, relname, in the current schema (1/0), its SELECT text, its
// reloptions (`a=b, c=d` or ''), its owner, its COMMENT statement (or ''), populated (1/0),
// and two JSON arrays of statements: its GRANTs and its indexes (a materialized view's).
constexpr std::string_view kDependentViewsQuery =
    "WITH RECURSIVE here AS (SELECT oid FROM pg_namespace WHERE nspname = current_schema()), "
    "seeds(oid, level) AS ("
    "SELECT c.oid, 0 FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM here) "
    "AND c.relkind IN ('r', 'p') AND EXISTS (SELECT 1 FROM pg_attribute a "
    "WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
    "AND a.atttypid = 'text'::regtype AND a.attcollation <> (SELECT oid FROM pg_collation "
    "WHERE collname = 'C' AND collnamespace = 'pg_catalog'::regnamespace)) "
    "UNION ALL SELECT c.oid, 1 FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM here) "
    "AND c.relkind IN ('v', 'm') "
    "AND c.relname IN (SELECT jsonb_array_elements_text($1::jsonb))), "
    "walk(oid, level) AS (SELECT oid, level FROM seeds UNION "
    "SELECT r.ev_class, w.level + 1 FROM walk w JOIN pg_depend d "
    "ON d.refclassid = 'pg_class'::regclass AND d.refobjid = w.oid "
    "AND d.classid = 'pg_rewrite'::regclass JOIN pg_rewrite r ON r.oid = d.objid "
    "WHERE r.ev_class <> w.oid AND w.level < 64), "
    "views AS (SELECT w.oid, max(w.level) AS level FROM walk w JOIN pg_class c "
    "ON c.oid = w.oid WHERE c.relkind IN ('v', 'm') GROUP BY w.oid) "
    "SELECT c.oid::regclass::text, c.relkind::text, v.level::bigint, c.relname::text, "
    "(c.relnamespace = (SELECT oid FROM here))::int, pg_get_viewdef(c.oid), "
    "coalesce(array_to_string(c.reloptions, ', '), ''), "
    "quote_ident(pg_get_userbyid(c.relowner)), "
    "CASE WHEN obj_description(c.oid, 'pg_class') IS NULL THEN '' ELSE format("
    "'COMMENT ON %s %s IS %L', CASE c.relkind WHEN 'm' THEN 'MATERIALIZED VIEW' "
    "ELSE 'VIEW' END, c.oid::regclass, obj_description(c.oid, 'pg_class')) END, "
    "c.relispopulated::int, "
    "coalesce((SELECT json_agg(format('GRANT %s ON %s TO %s%s', a.privilege_type, "
    "c.oid::regclass, CASE WHEN a.grantee = 0 THEN 'PUBLIC' "
    "ELSE quote_ident(pg_get_userbyid(a.grantee)) END, "
    "CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)) "
    "FROM aclexplode(c.relacl) a WHERE a.grantee <> c.relowner), '[]')::text, "
    "coalesce((SELECT json_agg(pg_get_indexdef(i.indexrelid)) FROM pg_index i "
    "WHERE i.indrelid = c.oid), '[]')::text "
    "FROM views v JOIN pg_class c ON c.oid = v.oid ORDER BY v.level, c.oid";

// A view found by kDependentViewsQuery: either a view collection's (made again as
// create_statements() makes it today) or someone else's (made again from its saved text).
struct SavedView {
  std::string name;  // qualified where the search_path needs it
  bool materialized = false;
  const schema::Collection* collection = nullptr;  // a view collection's view
  std::vector<std::string> restore;                // someone else's: CREATE, owner, ...
};

std::vector<std::string> json_strings(std::string_view text) {
  std::vector<std::string> out;
  const json::value parsed = json::parse(text);
  for (const json::value& item : parsed.as_array()) out.emplace_back(item.as_string());
  return out;
}

// pg_get_viewdef() ends its SELECT with ';': one statement per call, so it goes.
std::string without_final_semicolon(std::string_view text) {
  while (!text.empty() && (text.back() == ';' || text.back() == ' ' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return std::string(text);
}

std::vector<std::string> restore_statements(const db::ResultSet::Row& row) {
  const std::string name(row.as_text(0));
  const bool materialized = row.as_text(1) == "m";
  const std::string kind = materialized ? "MATERIALIZED VIEW " : "VIEW ";
  std::string create = "CREATE " + kind + name;
  if (const std::string_view options = row.as_text(6); !options.empty()) {
    create += " WITH (" + std::string(options) + ")";
  }
  create += " AS " + without_final_semicolon(row.as_text(5));
  if (materialized && row.as_int(9) == 0) create += " WITH NO DATA";
  std::vector<std::string> out{std::move(create)};
  out.push_back("ALTER " + kind + name + " OWNER TO " + std::string(row.as_text(7)));
  if (const std::string_view comment = row.as_text(8); !comment.empty()) {
    out.emplace_back(comment);
  }
  for (std::string& grant : json_strings(row.as_text(10))) out.push_back(std::move(grant));
  for (std::string& index : json_strings(row.as_text(11))) out.push_back(std::move(index));
  return out;
}

}  // namespace

boost::asio::awaitable<void> make_columns_sortable(db::Transaction& tx,
                                                   const db::Dialect& dialect) {
  const std::string_view retype_query = dialect.text_columns_to_retype_query();
  if (retype_query.empty()) co_return;
  const std::vector<schema::Collection> collections = co_await load_collections(tx, dialect);

  // Every view over what changes, view collections' and others' (a view of the user's own over
  // a collection's table), saved before anything is dropped: PostgreSQL re-types no column a
  // view reads. They are dropped readers first and made again in the opposite order.
  std::map<std::string, const schema::Collection*, std::less<>> view_collections;
  json::array view_names;
  for (const schema::Collection& collection : collections) {
    if (!collection.is_view()) continue;
    view_collections.emplace(collection.name, &collection);
    view_names.emplace_back(collection.name);
  }
  std::vector<SavedView> views;
  const db::ResultSet found = co_await tx.query(kDependentViewsQuery, json::serialize(view_names));
  for (const db::ResultSet::Row row : found) {
    SavedView view;
    view.name = std::string(row.as_text(0));
    view.materialized = row.as_text(1) == "m";
    const auto collection = view_collections.find(row.as_text(3));
    if (row.as_int(4) == 1 && !view.materialized && collection != view_collections.end()) {
      view.collection = collection->second;
      view_collections.erase(collection);
    } else {
      view.restore = restore_statements(row);
    }
    views.push_back(std::move(view));
  }

  for (auto it = views.rbegin(); it != views.rend(); ++it) {
    co_await tx.execute(std::string(it->materialized ? "DROP MATERIALIZED VIEW " : "DROP VIEW ") +
                        it->name);
  }
  // A view collection without a view in the database (nothing to save): made again at the end.
  for (const auto& [name, collection] : view_collections) {
    for (const std::string& drop : drop_statements(*collection, dialect)) co_await tx.execute(drop);
  }

  // Listed after the views are gone: the query sees tables only, but reads the catalog once.
  std::vector<std::string> statements;
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
  for (SavedView& view : views) {
    std::vector<std::string> remake = view.collection != nullptr
                                          ? create_statements(*view.collection, dialect)
                                          : std::move(view.restore);
    for (std::string& statement : remake) statements.push_back(std::move(statement));
  }
  for (const auto& [name, collection] : view_collections) {
    for (std::string& create : create_statements(*collection, dialect)) {
      statements.push_back(std::move(create));
    }
  }
  for (const std::string& statement : statements) co_await tx.execute(statement);
}

}  // namespace basalt::collections
