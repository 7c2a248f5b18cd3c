// The records of a batch of record events as one statement (record_statement.hpp,
// compile_event_records; docs/graphql.md "Change feeds").
//
//   WITH "__gq_events" AS (SELECT 0 AS "__gq_event_n", <the first record's columns>
//                          UNION ALL SELECT 1, … ), <the CTEs of the levels below>
//   SELECT "posts"."__gq_event_n", json_object(…) FROM "__gq_events" "posts" <rule joins>
//   WHERE <listRule> AND <where> ORDER BY "posts"."__gq_event_n"
//
// The records are read as their events carry them (a deleted record as it was), under the
// collection's own name, exactly as QueryBuilder::read_record_from reads a create rule's row: only
// the record itself comes from the CTE; its relations, back-relations and every rule joined on
// the way read the real tables, so an event can never stand in for data a rule asks about.
#include <string>

#include "basalt/graphql/record_compiler.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/schema/field_registry.hpp"

namespace basalt::graphql::detail {

namespace {

// The column numbering a batch's rows: the index of the record in the batch.
constexpr std::string_view kEventIndexColumn = "__gq_event_n";

}  // namespace

RootStatement StatementCompiler::event_records(const Collection& c, const FieldGroup& group,
                                               std::span<const boost::json::object* const> records,
                                               const query::PlanPtr& where) {
  std::string source_name = "__gq_events";
  while (catalog_.find(source_name) != nullptr) source_name += '_';
  const std::string source = q(source_name);
  // PostgreSQL types a bare parameter in a SELECT list as text (a boolean column would then
  // fail `IS TRUE`, the index would sort as text): each is cast to its column's type there.
  // SQLite keeps a bound value's own type, as the column would.
  const bool numbered = dialect_.placeholder(1) == "$1";
  const auto typed = [&](std::string placeholder, db::ColumnType type) {
    if (!numbered) return placeholder;
    return "CAST(" + placeholder + " AS " + std::string(dialect_.column_type(type)) + ")";
  };
  std::string rows;
  for (std::size_t i = 0; i < records.size(); ++i) {
    db::Params values = records::insert_params(c, *records[i]);
    std::string row = "SELECT " +
                      typed(param(static_cast<std::int64_t>(i)), db::ColumnType::kInteger) +
                      " AS " + q(kEventIndexColumn);
    for (std::size_t k = 0; k < c.fields.size(); ++k) {
      const db::ColumnType type = schema::sql_column_type(schema::column_for(c.fields[k]).kind);
      row += ", " + typed(param(std::move(values[k])), type) + " AS " + q(c.fields[k].name);
    }
    rows += (i ? " UNION ALL " : "") + row;
  }
  std::vector<query::PlanPtr> plans = rule_plans(c, c.list_rule);
  if (where) plans.push_back(where);
  const RootSource root = root_source(c, plans, source_name);
  // Each record counts once for the bound on nested lists, as a page of that many records.
  last_limit_ = records.size();
  potential_ += records.size();
  const std::string a = q(c.name);
  const std::string index = col(a, kEventIndexColumn);
  const std::string record = inside_list([&] { return record_json(c, a, group); });
  RootStatement out;
  out.kind = RootKind::kList;
  std::string with = "WITH " + source + " AS (" + rows + ")";
  // The events' rows first: the levels' CTEs after them never read them.
  for (const std::string& cte : ctes_) with += ", " + cte;
  out.statement.sql =
      with + " " + root.select + index + ", " + record + root.from + " ORDER BY " + index;
  out.statement.params = std::move(params_);
  finish_placeholders(out.statement.sql, out.statement.params);
  out.scans = true;
  return out;
}

}  // namespace basalt::graphql::detail
