// SqlPrinter: SqlNode trees (sql_node.hpp) -> SQL text with numbered placeholders, for one
// statement. Structure is printed here; dialect spellings come from FilterDialect, quoting and
// placeholders from db::Dialect.
//
// Invariants:
//   1. Placeholders are numbered from `first_placeholder` in the order values are first bound;
//      a param node printed twice (a subquery repeats its operand) binds once and reuses its
//      number. params()[i] belongs to placeholder first_placeholder + i.
//   2. Joins are registered when first referenced, parents before children (a join's ON is
//      printed before its own clause is added), and identified by SqlSource::key: the same key
//      is one join with one alias however many trees reference it.
//   3. Every alias in the statement (joins, subquery tables, subquery results) is unique, so a
//      subquery never shadows the outer table it correlates with.
//   4. A join with a guard (Guards: the lowered list rule of the collection it reaches) gets it
//      in its ON clause wherever it is registered: the main FROM or a semi-join's own FROM.
// Thread safety: none; one printer per statement being built.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "basalt/db/dialect.hpp"
#include "basalt/query/filter_dialect.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/query/sql_node.hpp"

namespace basalt::query {

class SqlPrinter final : public ParamBinder {
 public:
  // A join's list-rule check (JoinRule, lowered) and the request it is printed for.
  struct Guard {
    const SqlNode* condition = nullptr;
    const RequestInfo* request = nullptr;
  };
  using Guards = std::unordered_map<std::string, Guard>;  // by join key
  // One condition of a semi-join and the request it is printed for.
  struct Part {
    const SqlNode* condition = nullptr;
    const RequestInfo* request = nullptr;
  };

  // `base` is the statement's FROM table (its alias is its table name).
  SqlPrinter(const db::Dialect& dialect, const FilterDialect& functions, const SqlSource& base,
             std::size_t first_placeholder = 1);

  // Appends `node`; `request` supplies the values of kAuthId and kInBodyIds nodes.
  void print(std::string& out, const SqlNode& node, const RequestInfo& request);
  // The quoted alias of `source` (registering its join if needed).
  std::string alias(const SqlSource& source, const RequestInfo& request);
  // Registers every join `node` reads (outside subqueries) without printing it.
  void register_joins(const SqlNode& node, const RequestInfo& request);
  // ANDs `condition` to the ON clause of `join` (registering the join if needed). Its params
  // are bound now, so a guard must be added before anything that has to bind after it
  // (ORDER BY).
  void guard_join(const SqlSource& join, const SqlNode& condition, const RequestInfo& request);

  // The guards of joins (invariant 4); `guards` must outlive the printer.
  void set_guards(const Guards* guards) noexcept { guards_ = guards; }

  // `<record>.<col> IN (SELECT <hop>.<col> FROM <hop's table> <joins under it> WHERE [<hop's
  // guard> AND] <parts...>)`: the records whose `hop` row (and the rows under it) satisfy every
  // part, the joins under `hop` printed in the subquery's own FROM. The all-of subqueries of
  // the parts that follow `hop` (JoinTree::follows) start from the hop's row.
  // `inner`: keys of joins under the hop whose NULL row no part can match (null_fold.hpp):
  // printed as CROSS JOIN, which drops only rows that could not match and keeps SQLite to
  // the written order (the hop's row, then what it names), instead of LEFT JOIN.
  void semi_join(std::string& out, const SqlSource& hop, std::span<const Part> parts,
                 std::span<const std::string_view> inner = {});
  // `(<record>.<col> IS NULL OR <record>.<col> NOT IN (SELECT <hop>.<col> FROM <hop's table>
  // <joins under it> WHERE [<hop's guard> AND] (<parts...>) IS NOT 1))`: the records that
  // have no visible `hop` row on which the parts hold. Exact only when the parts hold on a
  // record without a visible hop row and every join under the hop is single-valued (the
  // caller checks both): then "some row holds" is "no row fails".
  void anti_join(std::string& out, const SqlSource& hop, std::span<const Part> parts,
                 std::span<const std::string_view> inner = {});
  // `EXISTS (SELECT 1 FROM <root> <joins under it> WHERE <root's ON> [AND <root's guard>] AND
  // <parts...>)`: the records for which some row under `root` (a JoinTree root that is no
  // hop) satisfies every part. The parts and the root's ON may read the record (correlated).
  void exists_join(std::string& out, const SqlSource& root, std::span<const Part> parts,
                   std::span<const std::string_view> inner = {});
  // For a back-relation through a multiple field (JoinTree::in_json_each_on):
  // `<record>.id IN (SELECT je.value FROM <root's table> r CROSS JOIN json_each(r.<col>) je
  // <joins under r> WHERE [<guard> AND] <parts...>)`, uncorrelated. The parts must not read
  // the record.
  void in_each_join(std::string& out, const SqlSource& root, std::span<const Part> parts,
                    std::span<const std::string_view> inner = {});
  // `NOT EXISTS (SELECT 1 FROM <root> WHERE <root's ON> [AND <guard>])`: no row under `root`
  // the caller may see, so every join under it reads as NULL (the general no_hop_row).
  void no_root_row(std::string& out, const SqlSource& root, const RequestInfo& request);
  // `NOT EXISTS (SELECT 1 FROM <hop's table> h WHERE h.<col> = <record>.<col> [AND <guard>])`:
  // the record has no `hop` row it may see, so every join under it reads as NULL.
  void no_hop_row(std::string& out, const SqlSource& hop);
  // Prints `node` with every column of the joins keyed in `nulled` as NULL.
  void print_nulled(std::string& out, const SqlNode& node, const RequestInfo& request,
                    std::span<const std::string_view> nulled);
  // Keys of the joins registered in the main FROM, in order.
  const std::vector<const SqlSource*>& join_sources() const noexcept { return join_sources_; }

  std::string bind(db::Value value) override;
  // Multi-match subqueries over the record itself read `quoted_source` instead of its table
  // (QueryBuilder::read_record_from).
  void read_record_from(std::string quoted_source) { record_source_ = std::move(quoted_source); }

  const std::string& base_alias() const noexcept { return base_alias_; }
  const std::vector<std::string>& joins() const noexcept { return joins_; }
  db::Params& params() noexcept { return params_; }
  std::size_t next_placeholder() const noexcept { return first_placeholder_ + params_.size(); }
  const db::Dialect& dialect() const noexcept { return dialect_; }
  const FilterDialect& functions() const noexcept { return functions_; }

  // How SQLite's comparison sees `node` (as the Evaluator does) and whether it is TEXT on every
  // engine (a plain-text column, a text parameter, '', the auth id, LOWER/COALESCE of those).
  static Affinity operand_affinity(const SqlNode& node);
  static bool plain_text(const SqlNode& node);
  // How `node` is a number on every engine (PlainNumber), or kNone.
  static PlainNumber plain_number(const SqlNode& node);

 private:
  void value(std::string& out, const SqlNode& node);
  std::string text(const SqlNode& node);
  std::string unique_alias(std::string_view hint);
  std::string register_join(const SqlSource& source);
  void source_clause(std::string& out, const SqlSource& source, std::string_view alias);
  // A printer for a subquery of its own over `base` (aliased `alias`), continuing `outer`'s
  // aliases and placeholder numbers.
  SqlPrinter(const SqlPrinter& outer, const SqlSource& base, std::string alias);

  // `where`: Lowering::match_where's conditions; the list-rule guards among them go to the ON
  // clauses of the joins they guard, the rest (and a rebased FROM's guard) to WHERE.
  void subquery(std::string& out, const MultiMatch& match, const SqlNode* where);
  static void split_match_where(const SqlNode& where, std::span<const SqlSource* const> joins,
                                std::vector<const SqlNode*>& row_conditions,
                                std::vector<const SqlNode*>& join_guards);
  // EXISTS (SELECT 1 FROM <base> <its joins> WHERE <base>.id = <id> AND <condition>).
  void rule_subquery(std::string& out, const SqlNode& id, const SqlSource& base,
                     const SqlNode& condition);
  void in_list(std::string& out, const SqlNode& node);
  // A printer for a subquery over `root` (see semi_join): the root's guard, then `parts`,
  // ANDed into `where`; the root's own clause is left to the caller.
  // `with_on`: the root's ON first (an EXISTS correlates through it).
  SqlPrinter sub_printer(const SqlSource& root, const RequestInfo& request,
                         std::span<const Part> parts, std::span<const std::string_view> inner,
                         std::string& where, bool with_on);
  // A printer for a subquery that starts from `hop`'s row (semi_join, anti_join): rebased on
  // the hop, its guard (the hop's list rule) printed into `where` if it has one.
  SqlPrinter hop_printer(const SqlSource& hop, std::span<const std::string_view> inner_joins,
                         std::string& where);
  // `(SELECT <hop>.<col> FROM <hop's table> <alias>`, closed by close_sub.
  void open_hop_select(std::string& out, const SqlPrinter& inner, const SqlSource& hop);
  // Appends `inner`'s joins and WHERE, takes back its params and aliases.
  void close_sub(std::string& out, SqlPrinter& inner, const std::string& where);
  // The root's own FROM item: `json_each(...) alias` or `"table" alias`.
  void root_item(std::string& out, const SqlSource& root);

  const db::Dialect& dialect_;
  const FilterDialect& functions_;
  std::size_t first_placeholder_;
  const RequestInfo* request_ = nullptr;  // during print() only
  const Guards* guards_ = nullptr;
  const SqlSource* rebase_hop_ = nullptr;          // a semi-join's printer: its hop
  std::span<const std::string_view> nulled_;       // during print_nulled() only
  std::span<const std::string_view> inner_joins_;  // a semi-join printer: CROSS JOINs
  std::vector<const SqlSource*> join_sources_;
  std::string base_key_;
  std::string base_alias_;
  std::string record_source_;  // quoted; empty: the record is read from its table
  std::vector<std::string> joins_;
  db::Params params_;
  std::unordered_map<std::string, std::string> join_aliases_;  // key -> quoted alias
  std::unordered_map<std::string, std::size_t> join_indexes_;  // key -> index in joins_
  std::unordered_set<std::string> used_aliases_;
  std::unordered_map<const SqlNode*, std::string> param_placeholders_;
  // Sources and multi-match results of the subqueries being printed (innermost last).
  std::vector<std::pair<const SqlSource*, std::string>> local_sources_;
  std::vector<std::pair<const MultiMatch*, std::string>> local_matches_;
};

}  // namespace basalt::query
