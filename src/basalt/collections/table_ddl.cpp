#include "basalt/collections/table_ddl.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <span>
#include <stdexcept>

#include "basalt/schema/field_registry.hpp"
#include "basalt/schema/index_sql.hpp"
#include "basalt/schema/view_query.hpp"

namespace basalt::collections {
namespace {

using schema::Collection;
using schema::ColumnDefault;
using schema::ColumnSpec;
using schema::Field;

constexpr std::string_view kRebuildPrefix = "_basalt_rebuild_";

std::string default_clause(ColumnDefault value, const db::Dialect& dialect) {
  switch (value) {
    case ColumnDefault::kNone:
      return {};
    case ColumnDefault::kNull:
      return " DEFAULT NULL";
    case ColumnDefault::kEmptyText:
      return " DEFAULT ''";
    case ColumnDefault::kZero:
      return " DEFAULT 0";
    case ColumnDefault::kFalse:
      return " DEFAULT FALSE";
    case ColumnDefault::kEmptyJsonArray:
      return " DEFAULT '[]'";
    case ColumnDefault::kZeroGeoPoint:
      return R"( DEFAULT '{"lon":0,"lat":0}')";
    case ColumnDefault::kNow:
      return " DEFAULT " + std::string(dialect.now_expression());
    case ColumnDefault::kRandomId:
      return " DEFAULT " + std::string(dialect.random_id_expression());
  }
  return {};
}

std::string column_definition(const ColumnSpec& spec, std::string_view name,
                              const db::Dialect& dialect) {
  std::string out = dialect.quote_identifier(name);
  out += ' ';
  out += dialect.column_definition_type(schema::sql_column_type(spec.kind));
  if (spec.primary_key) out += " PRIMARY KEY";
  out += default_clause(spec.default_value, dialect);
  if (spec.not_null) out += " NOT NULL";
  return out;
}

std::string column_definition(const Field& field, const db::Dialect& dialect) {
  return column_definition(schema::column_for(field), field.name, dialect);
}

std::string create_table(const Collection& collection, std::string_view table_name,
                         const db::Dialect& dialect) {
  std::string sql = "CREATE TABLE " + dialect.quote_identifier(table_name) + " (";
  bool first = true;
  for (const Field& field : collection.fields) {
    if (!first) sql += ", ";
    first = false;
    sql += column_definition(field, dialect);
  }
  sql += ')';
  return sql;
}

// The column of `columns` named `name` ignoring ASCII case (SQLite's matching), else `name`.
std::string exact_column_name(const std::string& name, std::span<const std::string> columns) {
  for (const std::string& column : columns) {
    if (column.size() == name.size() &&
        std::equal(column.begin(), column.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) ==
                 std::tolower(static_cast<unsigned char>(b));
        })) {
      return column;
    }
  }
  return name;
}

// One index column in standard SQL: a name quoted, an expression with its identifiers in double
// quotes; COLLATE NOCASE becomes the dialect's case-folded key (an expression index) and
// COLLATE RTRIM the value without trailing blanks, which compare alike under those collations.
// `columns` are the table's column names: SQLite matches names ignoring case, so each name the
// index mentions is written as the column's exact spelling (PostgreSQL matches quoted names
// exactly).
std::string standard_index_column(const schema::IndexColumn& column,
                                  std::span<const std::string> columns,
                                  const db::Dialect& dialect) {
  std::string error;
  std::string out;
  if (column.is_expression()) {
    auto expression = schema::double_quote_identifiers(column.name, &error, columns);
    if (!expression) throw std::invalid_argument("invalid index expression: " + error);
    out = "(" + *expression + ")";
  } else {
    out = dialect.quote_identifier(exact_column_name(column.name, columns));
  }
  std::string collate = column.collate;
  for (char& c : collate) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (collate == "NOCASE") {
    out = "(" + dialect.ignoring_case(out) + ")";
  } else if (collate == "RTRIM") {
    out = "(rtrim(" + out + ", ' '))";
  } else if (!collate.empty() && collate != "BINARY") {
    throw std::invalid_argument("unsupported index collation " + column.collate);
  }
  // NULL sorts first ascending, as on SQLite and in the filter printer's ORDER BY (`ASC NULLS
  // FIRST` / `DESC NULLS LAST`): a key in that order serves a sort in both directions (read
  // backwards for the other), which a key in PostgreSQL's own order (NULL last) cannot.
  std::string sort = column.sort;
  for (char& c : sort) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out += sort == "DESC" ? " DESC NULLS LAST" : " ASC NULLS FIRST";
  return out;
}

// `index` in standard SQL for a dialect that does not run PocketBase's spelling.
std::string standard_index_statement(const schema::IndexDefinition& index,
                                     std::span<const std::string> columns,
                                     const db::Dialect& dialect) {
  std::string out = index.unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
  if (index.if_not_exists) out += "IF NOT EXISTS ";
  out += dialect.quote_identifier(index.index_name) + " ON " +
         dialect.quote_identifier(index.table_name) + " (";
  for (std::size_t i = 0; i < index.columns.size(); ++i) {
    if (i > 0) out += ", ";
    out += standard_index_column(index.columns[i], columns, dialect);
  }
  out += ")";
  if (!index.where.empty()) {
    std::string error;
    auto where = schema::double_quote_identifiers(index.where, &error, columns);
    if (!where) throw std::invalid_argument("invalid index condition: " + error);
    out += " WHERE " + *where;
  }
  return out;
}

// The collection's indexes, re-emitted from their parsed form so that what runs is exactly
// what validation accepted, aimed at the collection's current table name: PocketBase's text
// where the dialect runs it (SQLite), standard SQL elsewhere.
std::vector<std::string> create_indexes(const Collection& collection, const db::Dialect& dialect) {
  std::vector<std::string> out;
  std::vector<std::string> columns;
  for (const Field& field : collection.fields) columns.push_back(field.name);
  for (const std::string& text : collection.indexes) {
    std::string error;
    auto index = schema::IndexDefinition::parse(text, &error);
    if (!index || !index->valid()) {
      throw std::invalid_argument("invalid index on " + collection.name + ": " + error);
    }
    index->table_name = collection.name;
    index->schema_name.clear();
    out.push_back(dialect.runs_pocketbase_index_sql()
                      ? index->build()
                      : standard_index_statement(*index, columns, dialect));
  }
  return out;
}

std::vector<std::string> drop_indexes(const Collection& collection, const db::Dialect& dialect) {
  std::vector<std::string> out;
  for (const std::string& text : collection.indexes) {
    if (auto index = schema::IndexDefinition::parse(text); index && index->valid()) {
      out.push_back("DROP INDEX IF EXISTS " + dialect.quote_identifier(index->index_name));
    }
  }
  return out;
}

// Wrapped as PocketBase does, so that nothing but a query can become the view; the line
// breaks keep a trailing `-- comment` in the query from swallowing the parenthesis. The
// subquery has an alias because PostgreSQL before 16 requires one (SQLite accepts it).
std::string create_view(const Collection& collection, const db::Dialect& dialect) {
  return "CREATE VIEW " + dialect.quote_identifier(collection.name) + " AS SELECT * FROM (\n" +
         schema::normalize_view_query(collection.view_query) + "\n) AS " +
         dialect.quote_identifier("_basalt_view_source");
}

std::string drop_relation(const Collection& collection, const db::Dialect& dialect) {
  return std::string(collection.is_view() ? "DROP VIEW IF EXISTS " : "DROP TABLE IF EXISTS ") +
         dialect.quote_identifier(collection.name);
}

bool same_column(const ColumnSpec& a, const ColumnSpec& b) {
  return a.kind == b.kind && a.default_value == b.default_value && a.primary_key == b.primary_key &&
         a.not_null == b.not_null;
}

void append(std::vector<std::string>& out, std::vector<std::string> more) {
  for (auto& statement : more) out.push_back(std::move(statement));
}

std::string copy_expression(const Field& old_field, const Field& new_field,
                            const db::Dialect& dialect);

// A schema change as ALTER TABLE statements, for a dialect that alters columns in place
// (Dialect::alters_columns_in_place): changed columns converted first, under their old names
// (`ALTER COLUMN c TYPE t USING <the rebuild's copy expression>`, the default dropped before and
// set after, since the old default need not convert), then removed columns dropped, renames,
// and added columns. Rows keep their place; nothing is copied.
std::vector<std::string> alter_in_place(
    const std::string& table, const std::vector<std::pair<const Field*, const Field*>>& kept,
    const std::map<std::string, const Field*, std::less<>>& removed,
    const std::vector<const Field*>& added, const db::Dialect& dialect) {
  std::vector<std::string> out;
  const std::string alter = "ALTER TABLE " + table + " ";
  for (const auto& [before, after] : kept) {
    const ColumnSpec old_spec = schema::column_for(*before);
    const ColumnSpec new_spec = schema::column_for(*after);
    if (same_column(old_spec, new_spec)) continue;
    const std::string column = dialect.quote_identifier(before->name);
    if (old_spec.default_value != ColumnDefault::kNone) {
      out.push_back(alter + "ALTER COLUMN " + column + " DROP DEFAULT");
    }
    if (old_spec.kind != new_spec.kind) {
      out.push_back(
          alter + "ALTER COLUMN " + column + " TYPE " +
          std::string(dialect.column_definition_type(schema::sql_column_type(new_spec.kind))) +
          " USING " + copy_expression(*before, *after, dialect));
    }
    std::string default_sql = default_clause(new_spec.default_value, dialect);
    if (!default_sql.empty()) {
      out.push_back(alter + "ALTER COLUMN " + column + " SET" + default_sql);
    }
    if (old_spec.not_null != new_spec.not_null || old_spec.kind != new_spec.kind) {
      out.push_back(alter + "ALTER COLUMN " + column +
                    (new_spec.not_null ? " SET NOT NULL" : " DROP NOT NULL"));
    }
  }
  for (const auto& [id, field] : removed) {
    out.push_back(alter + "DROP COLUMN " + dialect.quote_identifier(field->name));
  }
  for (const auto& [before, after] : kept) {
    if (before->name != after->name) {
      out.push_back(alter + "RENAME COLUMN " + dialect.quote_identifier(before->name) + " TO " +
                    dialect.quote_identifier(after->name));
    }
  }
  for (const Field* field : added) {
    out.push_back(alter + "ADD COLUMN " + column_definition(*field, dialect));
  }
  return out;
}

// The SELECT expression that copies `old_field`'s column into `new_field`'s during a rebuild.
std::string copy_expression(const Field& old_field, const Field& new_field,
                            const db::Dialect& dialect) {
  std::string column = dialect.quote_identifier(old_field.name);
  if (old_field.is_multiple() == new_field.is_multiple()) return column;
  return new_field.is_multiple() ? dialect.to_json_array_expression(column)
                                 : dialect.json_array_last_expression(column);
}

}  // namespace

std::vector<std::string> create_statements(const Collection& collection,
                                           const db::Dialect& dialect) {
  if (collection.is_view()) return {create_view(collection, dialect)};
  std::vector<std::string> out = {create_table(collection, collection.name, dialect)};
  append(out, create_indexes(collection, dialect));
  return out;
}

std::string create_table_statement(const schema::TableSpec& table, const db::Dialect& dialect) {
  std::string sql = "CREATE TABLE " + dialect.quote_identifier(table.name) + " (";
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += column_definition(table.columns[i], table.columns[i].name, dialect);
  }
  return sql + ")";
}

std::vector<std::string> drop_statements(const Collection& collection, const db::Dialect& dialect) {
  return {drop_relation(collection, dialect)};
}

std::vector<std::string> recreate_index_statements(const Collection& collection,
                                                   const db::Dialect& dialect) {
  if (collection.is_view()) return {};
  std::vector<std::string> out = drop_indexes(collection, dialect);
  append(out, create_indexes(collection, dialect));
  return out;
}

std::vector<std::string> update_statements(const Collection& old, const Collection& updated,
                                           const db::Dialect& dialect) {
  if (old.type != updated.type) {
    throw std::invalid_argument("collection " + old.name + " cannot change its type");
  }
  if (updated.is_view()) {
    if (old.name == updated.name && old.view_query == updated.view_query) return {};
    return {drop_relation(old, dialect), create_view(updated, dialect)};
  }

  // Pair fields across versions by id.
  std::map<std::string, const Field*, std::less<>> old_by_id;
  for (const Field& field : old.fields) old_by_id.emplace(field.id, &field);
  bool rebuild = false;
  std::vector<std::pair<const Field*, const Field*>> kept;  // old, new
  std::vector<const Field*> added;
  for (const Field& field : updated.fields) {
    auto it = old_by_id.find(field.id);
    if (it == old_by_id.end()) {
      added.push_back(&field);
      continue;
    }
    const Field& before = *it->second;
    if (before.type() != field.type()) {
      throw std::invalid_argument("field " + field.name + " cannot change its type");
    }
    if (!same_column(schema::column_for(before), schema::column_for(field))) rebuild = true;
    kept.emplace_back(&before, &field);
    old_by_id.erase(it);
  }
  if (!old_by_id.empty()) rebuild = true;  // some old field was removed

  const bool renamed = old.name != updated.name;
  const bool fields_changed =
      rebuild || !added.empty() || std::any_of(kept.begin(), kept.end(), [](const auto& pair) {
        return pair.first->name != pair.second->name;
      });
  if (!renamed && !fields_changed && old.indexes == updated.indexes) return {};

  std::vector<std::string> out = drop_indexes(old, dialect);
  const std::string table = dialect.quote_identifier(updated.name);
  if (renamed) {
    out.push_back("ALTER TABLE " + dialect.quote_identifier(old.name) + " RENAME TO " + table);
  }
  const bool in_place = rebuild && dialect.alters_columns_in_place() &&
                        std::all_of(kept.begin(), kept.end(), [](const auto& pair) {
                          return schema::column_for(*pair.first).primary_key ==
                                 schema::column_for(*pair.second).primary_key;
                        });
  if (in_place) {
    append(out, alter_in_place(table, kept, old_by_id, added, dialect));
  } else if (rebuild) {
    const std::string scratch_name = std::string(kRebuildPrefix) + updated.name;
    const std::string scratch = dialect.quote_identifier(scratch_name);
    out.push_back(create_table(updated, scratch_name, dialect));
    if (!kept.empty()) {
      std::string targets;
      std::string sources;
      for (const auto& [before, after] : kept) {
        if (!targets.empty()) {
          targets += ", ";
          sources += ", ";
        }
        targets += dialect.quote_identifier(after->name);
        sources += copy_expression(*before, *after, dialect);
      }
      out.push_back("INSERT INTO " + scratch + " (" + targets + ") SELECT " + sources + " FROM " +
                    table);
    }
    out.push_back("DROP TABLE " + table);
    out.push_back("ALTER TABLE " + scratch + " RENAME TO " + table);
  } else {
    for (const auto& [before, after] : kept) {
      if (before->name != after->name) {
        out.push_back("ALTER TABLE " + table + " RENAME COLUMN " +
                      dialect.quote_identifier(before->name) + " TO " +
                      dialect.quote_identifier(after->name));
      }
    }
    for (const Field* field : added) {
      out.push_back("ALTER TABLE " + table + " ADD COLUMN " + column_definition(*field, dialect));
    }
  }
  append(out, create_indexes(updated, dialect));
  return out;
}

}  // namespace basalt::collections
