// StatementCompiler: the state and the pieces of the compiler behind record_statement.hpp (private
// to the graphql module; docs/graphql.md, "How a query runs"). One compiler builds one statement:
// it binds its own values (keys, limits, ids) and those of the plans it compiles into one
// numbered parameter list (params_[n - 1] is placeholder n, whatever the order the pieces
// appear in the text), and collects the CTEs of the levels below the root.
//
// Its parts live in one file each:
//   record_statement.cpp      the entry points: a root list / `_by_pk` / `_aggregate`, records by
//   id record_compiler.cpp       rules and `where` as conditions, visibility CTEs, pages, order_by
//   record_field_sql.cpp      a record's JSON object: scalar fields, email visibility, file URLs
//   record_relation_sql.cpp   relation and back-relation levels (objects and lists)
//   record_aggregate_sql.cpp  `_aggregate` fields (count/sum/avg/min/max, nodes)
//   record_event_statement.cpp  the records of a batch of record events (`<c>_events`)
//
// Thread safety: one compiler per statement, on the request's worker.
#pragma once

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "basalt/graphql/field_failure.hpp"
#include "basalt/graphql/json_dialect.hpp"
#include "basalt/graphql/record_statement.hpp"

namespace basalt::graphql::detail {

// The records one root field may return, each list counted at its limit and multiplied by the
// limits of the lists around it: a fan-out that could only run into the statement budget (three
// nested lists at the default limit: 10^9) is refused before it runs.
inline constexpr std::uint64_t kMaxPotentialRecords = 2'000'000;

// Relation levels below a root field (StatementCompiler::Deeper): REST expand's depth. SQLite's
// parser may refuse a shallower statement heavy with rules and `where` arguments;
// graphql_service.cpp answers that with limit-exceeded too.
inline constexpr std::size_t kMaxRelationLevels = 6;

class StatementCompiler final : public query::ParamBinder {
 public:
  using Collection = schema::Collection;

  StatementCompiler(const GeneratedSchema& generated, const ExecutionScope& scope,
                    const records::Access& access, const query::RequestInfo& request,
                    std::int64_t max_list_limit)
      : generated_(generated),
        catalog_(*generated.catalog),
        scope_(scope),
        access_(access),
        request_(request),
        dialect_(access.dialect()),
        json_(json_dialect_for(access.dialect())),
        superuser_(access.caller().is_superuser()),
        max_list_limit_(max_list_limit) {}

  // record_statement.cpp
  RootStatement by_ids(const Collection& c, const FieldGroup& group,
                       std::span<const std::string> ids);
  RootStatement root(const FieldGroup& group, const RootBinding& binding);

  // record_event_statement.cpp
  RootStatement event_records(const Collection& c, const FieldGroup& group,
                              std::span<const boost::json::object* const> records,
                              const query::PlanPtr& where);

  // The WITH clause of the levels below the root (visible ids), before the root's SELECT.
  void prepend_ctes(std::string& sql) const;

  // Numbered `$N` placeholders (PostgreSQL) must all appear in the text: an aggregate that
  // counts every record drops its page's text, whose values were bound.
  void finish_placeholders(std::string& sql, db::Params& params) const;

 private:
  // The root's SELECT keyword ("SELECT " or "SELECT DISTINCT " when a join of the filter can
  // repeat a record) and its FROM … [WHERE …] over every plan.
  struct RootSource {
    std::string select = "SELECT ";
    std::string from;
    bool filtered = false;  // `from` ends with a WHERE clause
  };

  // The records of a list field below a record: which table, under which alias, and the rest
  // of the SELECT after its columns (FROM … WHERE … ORDER BY … LIMIT … OFFSET …).
  struct ListSource {
    std::string alias;
    std::string from;  // FROM … WHERE …
    std::string tail;  // ORDER BY … LIMIT … OFFSET …
  };

  // The records an aggregate reads, as `SELECT <alias>.* …` statements: its aggregates cover
  // every record the arguments select when neither `limit` nor `offset` is given (a count
  // counts them all), else the page; its `nodes` are always the page.
  struct Pages {
    std::string all;
    std::string page;
  };

  // One relation level further down (a relation, back-relation, relation aggregate, or a sort
  // through a relation): each is a subquery inside the level above, and SQLite's parser takes a
  // bounded nesting (3.40: a stack of 100 frames).
  class Deeper {
   public:
    explicit Deeper(StatementCompiler& compiler) : compiler_(compiler) {
      if (++compiler_.levels_ > kMaxRelationLevels) {
        --compiler_.levels_;
        throw FieldFailure(ErrorCode::kLimitExceeded, "Relations may be nested at most " +
                                                          std::to_string(kMaxRelationLevels) +
                                                          " levels deep below a root field.");
      }
    }
    ~Deeper() { --compiler_.levels_; }
    Deeper(const Deeper&) = delete;
    Deeper& operator=(const Deeper&) = delete;

   private:
    StatementCompiler& compiler_;
  };

  using Wrap = std::function<std::string(const std::string&)>;

  std::string q(std::string_view name) const { return dialect_.quote_identifier(name); }
  std::string col(const std::string& a, std::string_view field) const { return a + "." + q(field); }
  // Below the root every level reads its table as `__gqN`: collection names never start with
  // "__" (schema/graphql_names.hpp), and the query compiler's own aliases are other `__` names.
  std::string alias() { return q("__gq" + std::to_string(aliases_++)); }
  std::string param(db::Value value) {
    params_.push_back(std::move(value));
    return dialect_.placeholder(next_++);
  }
  std::string bind(db::Value value) override { return param(std::move(value)); }

  query::PlanPtr where_plan(const Collection& c, const boost::json::object& args) const {
    return compile_where_argument(access_, c, args);
  }

  // The selection of a list's records, compiled with that list's limit multiplied in.
  template <typename Compile>
  std::string inside_list(Compile compile) {
    const std::uint64_t outer = multiplier_;
    multiplier_ = outer * std::max<std::uint64_t>(last_limit_, 1);
    std::string out = compile();
    multiplier_ = outer;
    return out;
  }

  // record_statement.cpp
  // `record_source`: a CTE the root's records are read from instead of the collection's table
  // (QueryBuilder::read_record_from); empty: the table.
  RootSource root_source(const Collection& c, const std::vector<query::PlanPtr>& plans,
                         std::string_view record_source = {});

  // record_compiler.cpp
  boost::json::object arguments(const FieldGroup& group) const;
  std::vector<query::PlanPtr> rule_plans(const Collection& c, const schema::Rule& rule) const;
  // The condition that the record read as `a` passes every plan (rules of its collection, a
  // `where`), or "" when nothing filters.
  //
  // Below the root: `EXISTS (SELECT 1 FROM "__gqvN" WHERE "__gqvN"."id" = "__gqM"."id")`, where
  // __gqvN is a CTE of the statement, `SELECT "c"."id" FROM "c" … WHERE <plans>`. SQLite
  // flattens the CTE into the correlated EXISTS: one lookup by primary key per candidate row,
  // so a nested page stops at its limit (an uncorrelated `IN (SELECT …)` there reads every
  // visible record of the collection again for each record of the level above: 0.7 s instead
  // of 36 ms for 10 users with 5 of 100,000 posts each). And the rules and `where` of a deep
  // level stay in the WITH clause, off the nesting SQLite's parser holds at that level.
  //
  // At the root, whose table goes by its own name: `IN (SELECT "c"."id" …)`, read once.
  std::string visible_condition(const std::string& a, std::vector<query::PlanPtr> plans,
                                const query::PlanPtr& extra);
  std::string page(const boost::json::object& args);
  // ORDER BY the order_by terms, then the insertion order (the order of a REST list without
  // `sort`), so pages are stable.
  std::string order_clause(const std::string& a, const Collection& c,
                           const boost::json::object& args, const std::string& fallback = {});
  void order_terms(const std::string& a, const Collection& c, const boost::json::object& spec,
                   const Wrap& wrap, std::vector<std::string>& terms);
  void back_relation_count_term(const std::string& a, const Collection& c, std::string_view key,
                                const boost::json::value& value, const Wrap& wrap,
                                std::vector<std::string>& terms);
  // A JSON object of (response name, value expression) pairs, in this order.
  std::string object_sql(const std::vector<std::pair<std::string, std::string>>& named);

  // record_field_sql.cpp
  // The JSON object of the selection over the record read as `a`, in selection order.
  std::string record_json(const Collection& c, const std::string& a, const FieldGroup& group);
  std::string value_expr(const Collection& c, const std::string& a, const FieldGroup& sub);
  std::string field_expr(const Collection& c, const std::string& a, const schema::Field& field,
                         const FieldGroup& sub);
  // records::Visibility in SQL: emailVisibility on, the caller's own record, or (for auth
  // records that may sign in) a record the caller manages by the manageRule.
  std::string email_visible(const Collection& c, const std::string& a);
  std::string geo_point(const std::string& column, const FieldGroup& group);
  std::string file_url(const Collection& c, const std::string& a, const schema::Field& file,
                       const FieldGroup& sub);

  // record_relation_sql.cpp
  // A relation field: the related record (single) or records (multiple) the caller may view.
  std::string relation(const std::string& a, const schema::Field& field, const FieldGroup& sub);
  // `author { id }` (with `__typename` at most) is answered from the relation column, without
  // reading the related record: the id is what the REST record shows of the relation anyway.
  std::optional<std::string> relation_id_only(const std::string& a, const schema::Field& field,
                                              const Collection& target, const FieldGroup& sub);
  // A multiple relation's records the caller may view, in the order the field lists them
  // unless order_by says otherwise.
  ListSource multiple_relation_source(const std::string& a, const schema::Field& field,
                                      const Collection& target, const FieldGroup& sub);
  // The records of `other` whose relation `field` names the record read as `a`.
  ListSource back_relation_source(const std::string& a, const Collection& other,
                                  const schema::Field& field, const FieldGroup& sub);
  std::string back_relation(const std::string& a, const Collection& other,
                            const schema::Field& field, const FieldGroup& sub);
  std::string list_sql(const std::string& record, const std::string& from);

  // record_aggregate_sql.cpp
  // `<list>_aggregate` of a multiple relation or back-relation.
  std::string list_aggregate(const Collection& target, const ListSource& source,
                             const FieldGroup& sub);
  static Pages pages_of(const boost::json::object& args, const std::string& select_from,
                        const std::string& tail);
  // `<c>_aggregate` over `pages` (`a` is the alias of their records).
  std::string aggregate_json(const Collection& c, const std::string& a, const FieldGroup& group,
                             const Pages& pages);
  std::string aggregate_fields(const Collection& c, const std::string& a, const FieldGroup& group);
  std::string count_expr(const Collection& c, const std::string& a, const FieldGroup& sub);

  const GeneratedSchema& generated_;
  const collections::Catalog& catalog_;
  const ExecutionScope& scope_;
  const records::Access& access_;
  const query::RequestInfo& request_;
  const db::Dialect& dialect_;
  const JsonDialect& json_;  // the JSON spellings of the dialect
  bool superuser_;
  std::int64_t max_list_limit_;
  db::Params params_;
  std::size_t next_ = 1;
  std::size_t aliases_ = 0;
  std::uint64_t multiplier_ = 1;   // the product of the limits of the lists around this level
  std::uint64_t potential_ = 0;    // records the statement may return, summed over its lists
  std::uint64_t last_limit_ = 0;   // the limit page() bound last
  std::size_t levels_ = 0;         // relation levels above the part being compiled
  std::vector<std::string> ctes_;  // `"__gqvN" AS (…)`: the visible ids of the levels below
};

}  // namespace basalt::graphql::detail
