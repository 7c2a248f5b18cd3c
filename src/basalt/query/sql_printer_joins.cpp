// SqlPrinter's joins and subqueries (sql_printer.hpp): the aliases of joined sources, guard
// joins, multi-match subqueries, rule subqueries and the semi-, anti- and EXISTS joins of a
// relation path. sql_printer.cpp prints the values and comparisons that refer to them.
#include <algorithm>
#include <stdexcept>

#include "basalt/query/go_values.hpp"
#include "basalt/query/join_tree.hpp"
#include "basalt/query/sql_printer.hpp"

namespace basalt::query {

std::string SqlPrinter::unique_alias(std::string_view hint) {
  std::string alias(hint);
  for (int n = 2; !used_aliases_.insert(alias).second; ++n) {
    alias = std::string(hint) + "_" + std::to_string(n);
  }
  return alias;
}

void SqlPrinter::guard_join(const SqlSource& join, const SqlNode& condition,
                            const RequestInfo& request) {
  alias(join, request);
  auto index = join_indexes_.find(std::string(join.key));
  if (index == join_indexes_.end()) throw std::logic_error("guard of a join that is not joined");
  std::string guard;
  print(guard, condition, request);
  joins_[index->second] += " AND " + guard;
}

std::string SqlPrinter::register_join(const SqlSource& source) {
  std::string quoted = dialect_.quote_identifier(unique_alias(source.alias));
  // Known before its ON is printed, since the ON names the join itself.
  join_aliases_.emplace(std::string(source.key), quoted);
  std::string clause =
      std::find(inner_joins_.begin(), inner_joins_.end(), source.key) != inner_joins_.end()
          ? std::string(functions_.inner_join())
          : std::string("LEFT JOIN ");
  source_clause(clause, source, quoted);  // may register the joins its ON reads first
  bool has_on = source.on != nullptr;
  if (guards_ != nullptr) {
    auto guard = guards_->find(std::string(source.key));
    if (guard != guards_->end()) {
      clause += source.on != nullptr ? " AND " : " ON ";
      print(clause, *guard->second.condition, *guard->second.request);
      has_on = true;
    }
  }
  if (!has_on && functions_.join_needs_condition()) clause += " ON TRUE";
  join_sources_.push_back(&source);
  join_indexes_.emplace(std::string(source.key), joins_.size());
  joins_.push_back(std::move(clause));
  return quoted;
}

void SqlPrinter::source_clause(std::string& out, const SqlSource& source, std::string_view alias) {
  if (source.kind == SourceKind::kJsonEach) {
    functions_.json_each(out, text(*source.array), source.normalize);
  } else {
    out += dialect_.quote_identifier(source.table);
  }
  out += ' ';
  out += alias;
  if (source.on != nullptr) {
    out += " ON ";
    value(out, *source.on);
  }
}

void SqlPrinter::subquery(std::string& out, const MultiMatch& match, const SqlNode* where) {
  std::size_t mark = local_sources_.size();
  // In a semi-join over `rebase_hop_`, an all-of subquery that walks from the record through
  // the hop starts from the hop's row instead: the same rows, without reading the record.
  const SqlSource* from_source = match.from;
  const SqlSource* target = match.target;
  std::span<const SqlSource* const> match_joins = match.joins();
  bool rebased = rebase_hop_ != nullptr && JoinTree::follows(match, *rebase_hop_);
  if (rebased) {
    from_source = match_joins.front();
    target = rebase_hop_;
    match_joins = match_joins.subspan(1);
  }
  // A join's list-rule guard belongs to its ON clause: a hidden row becomes the LEFT JOIN's
  // NULL row, exactly as a missing one, and as in the main query's joins. Left in WHERE it
  // would drop the row instead, and "only hidden rows" would answer apart from "no rows".
  std::vector<const SqlNode*> row_conditions;
  std::vector<const SqlNode*> join_guards;
  if (where != nullptr) split_match_where(*where, match_joins, row_conditions, join_guards);
  // PocketBase's subquery starts from the record's own table (`FROM posts __mm WHERE __mm.id =
  // posts.id`). Where `id` is that table's key this finds the outer row itself, so the columns
  // of `from` are read from the outer row and FROM is one constant row for the LEFT JOINs to
  // hang on (an empty json_each still gives its one NULL row): SQLite neither looks the record
  // up again by id nor decodes it a second time. A view's ids need not be unique: not there.
  const bool own_row = !rebased && from_source->record_row && from_source->id_is_key &&
                       target->kind == SourceKind::kTable && target->record_row &&
                       target->table == from_source->table;
  std::string from = dialect_.quote_identifier(unique_alias(from_source->alias));
  local_sources_.emplace_back(from_source, own_row ? alias(*target, *request_) : from);
  std::string joins;
  for (const SqlSource* join : match_joins) {
    std::string alias = dialect_.quote_identifier(unique_alias(join->alias));
    local_sources_.emplace_back(join, alias);
    joins += " LEFT JOIN ";
    source_clause(joins, *join, alias);
    bool has_on = join->on != nullptr;
    for (const SqlNode* guard : join_guards) {
      if (guard->a->source != join) continue;
      joins += has_on ? " AND " : " ON ";
      has_on = true;
      value(joins, *guard);
    }
    if (!has_on && functions_.join_needs_condition()) joins += " ON TRUE";
  }
  out += "SELECT ";
  value(out, *match.value);
  out += " AS ";
  out += dialect_.quote_identifier("multiMatchValue");
  out += " FROM ";
  if (own_row) {
    out += "(SELECT 1) ";
    out += from;
    out += joins;
    // The guards are in the joins' ON clauses already (above); only the row's own conditions
    // remain for WHERE.
    const char* separator = " WHERE ";
    for (const SqlNode* condition : row_conditions) {
      out += separator;
      value(out, *condition);
      separator = " AND ";
    }
    local_sources_.resize(mark);
    return;
  }
  if (!rebased && match.from->record_row && !record_source_.empty()) {
    out += record_source_;
  } else {
    out += dialect_.quote_identifier(from_source->table);
  }
  out += ' ';
  out += from;
  out += joins;
  out += " WHERE ";
  out += from;
  out += '.';
  out += dialect_.quote_identifier("id");
  out += " = ";
  out += alias(*target, *request_);
  out += '.';
  out += dialect_.quote_identifier("id");
  for (const SqlNode* condition : row_conditions) {
    out += " AND ";
    value(out, *condition);
  }
  local_sources_.resize(mark);
}

void SqlPrinter::split_match_where(const SqlNode& where, std::span<const SqlSource* const> joins,
                                   std::vector<const SqlNode*>& row_conditions,
                                   std::vector<const SqlNode*>& join_guards) {
  if (where.op == SqlOp::kAnd) {
    for (const SqlNode* child : where.args()) {
      split_match_where(*child, joins, row_conditions, join_guards);
    }
    return;
  }
  // Lowering::match_where's guard of a join: kRuleHolds over that join's id column. The guard
  // of a rebased subquery's FROM (the semi-join's hop row, visible already) stays in WHERE.
  bool guards_a_join = where.op == SqlOp::kRuleHolds && where.a != nullptr &&
                       where.a->op == SqlOp::kColumn &&
                       std::find(joins.begin(), joins.end(), where.a->source) != joins.end();
  (guards_a_join ? join_guards : row_conditions).push_back(&where);
}

SqlPrinter::SqlPrinter(const SqlPrinter& outer, const SqlSource& base, std::string alias)
    : dialect_(outer.dialect_),
      functions_(outer.functions_),
      first_placeholder_(outer.next_placeholder()),
      base_key_(base.key),
      base_alias_(outer.dialect_.quote_identifier(alias)),
      record_source_(outer.record_source_),
      used_aliases_(outer.used_aliases_) {
  join_aliases_.emplace(base_key_, base_alias_);
  // The record's row (key "") stays the outer statement's: a correlated subquery (an EXISTS
  // under a root, an all-of subquery in it) reads the record the outer row names.
  auto record = outer.join_aliases_.find(std::string());
  if (record != outer.join_aliases_.end()) join_aliases_.emplace(record->first, record->second);
}

void SqlPrinter::rule_subquery(std::string& out, const SqlNode& id, const SqlSource& base,
                               const SqlNode& condition) {
  std::string outer_id = text(id);
  // A printer of its own: the rule's joins belong to this subquery's FROM, and its aliases
  // continue the outer statement's so that nothing is shadowed (invariant 3). Its params
  // continue the outer numbering and are appended to the outer params (invariant 1).
  SqlPrinter inner(*this, base, unique_alias(base.alias));
  std::string where;
  inner.print(where, condition, *request_);
  out += "EXISTS (SELECT 1 FROM ";
  out += dialect_.quote_identifier(base.table);
  out += ' ';
  out += inner.base_alias_;
  for (const std::string& join : inner.joins_) {
    out += ' ';
    out += join;
  }
  out += " WHERE ";
  out += inner.base_alias_;
  out += '.';
  out += dialect_.quote_identifier("id");
  out += " = ";
  out += outer_id;
  out += " AND ";
  out += where;
  out += ')';
  for (db::Value& param : inner.params_) params_.push_back(std::move(param));
  used_aliases_ = std::move(inner.used_aliases_);
}

SqlPrinter SqlPrinter::hop_printer(const SqlSource& hop,
                                   std::span<const std::string_view> inner_joins,
                                   std::string& where) {
  // A printer of its own, as for a rule subquery: the joins under the hop belong to this
  // subquery's FROM, its aliases continue the statement's, its params are appended to ours.
  SqlPrinter inner(*this, hop, unique_alias(hop.alias));
  inner.rebase_hop_ = &hop;
  inner.guards_ = guards_;
  inner.inner_joins_ = inner_joins;
  if (guards_ != nullptr) {
    auto guard = guards_->find(std::string(hop.key));
    if (guard != guards_->end()) {
      inner.print(where, *guard->second.condition, *guard->second.request);
    }
  }
  return inner;
}

void SqlPrinter::open_hop_select(std::string& out, const SqlPrinter& inner, const SqlSource& hop) {
  out += "(SELECT ";
  out += inner.base_alias_;
  out += '.';
  out += dialect_.quote_identifier(JoinTree::hop_column(hop));
  out += " FROM ";
  out += dialect_.quote_identifier(hop.table);
  out += ' ';
  out += inner.base_alias_;
}

void SqlPrinter::semi_join(std::string& out, const SqlSource& hop, std::span<const Part> parts,
                           std::span<const std::string_view> inner_joins) {
  std::string where;
  SqlPrinter inner = hop_printer(hop, inner_joins, where);
  for (const Part& part : parts) {
    if (!where.empty()) where += " AND ";
    inner.print(where, *part.condition, *part.request);
  }
  out += base_alias_;
  out += '.';
  out += dialect_.quote_identifier(JoinTree::record_column(hop));
  out += " IN ";
  open_hop_select(out, inner, hop);
  close_sub(out, inner, where);
}

SqlPrinter SqlPrinter::sub_printer(const SqlSource& root, const RequestInfo& request,
                                   std::span<const Part> parts,
                                   std::span<const std::string_view> inner_joins,
                                   std::string& where, bool with_on) {
  SqlPrinter inner(*this, root, unique_alias(root.alias));
  inner.guards_ = guards_;
  inner.inner_joins_ = inner_joins;
  inner.request_ = &request;
  if (with_on && root.on != nullptr) inner.print(where, *root.on, request);
  if (guards_ != nullptr) {
    auto guard = guards_->find(std::string(root.key));
    if (guard != guards_->end()) {
      if (!where.empty()) where += " AND ";
      inner.print(where, *guard->second.condition, *guard->second.request);
    }
  }
  for (const Part& part : parts) {
    if (!where.empty()) where += " AND ";
    inner.print(where, *part.condition, *part.request);
  }
  return inner;
}

void SqlPrinter::close_sub(std::string& out, SqlPrinter& inner, const std::string& where) {
  for (const std::string& join : inner.joins_) {
    out += ' ';
    out += join;
  }
  if (!where.empty()) {
    out += " WHERE ";
    out += where;
  }
  out += ')';
  for (db::Value& param : inner.params_) params_.push_back(std::move(param));
  used_aliases_ = std::move(inner.used_aliases_);
}

void SqlPrinter::root_item(std::string& out, const SqlSource& root) {
  if (root.kind == SourceKind::kJsonEach) {
    functions_.json_each(out, text(*root.array), root.normalize);
  } else {
    out += dialect_.quote_identifier(root.table);
  }
  out += ' ';
  out += base_alias_;
}

void SqlPrinter::anti_join(std::string& out, const SqlSource& hop, std::span<const Part> parts,
                           std::span<const std::string_view> inner_joins) {
  const std::string record_column =
      base_alias_ + "." + dialect_.quote_identifier(JoinTree::record_column(hop));
  std::string where;
  SqlPrinter inner = hop_printer(hop, inner_joins, where);
  if (!where.empty()) where += " AND ";
  // (p1 AND p2 ...) IS NOT 1: the rows on which the parts are false or NULL.
  where += '(';
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) where += " AND ";
    inner.print(where, *parts[i].condition, *parts[i].request);
  }
  where += functions_.is_not_true();
  out += '(';
  out += record_column;
  out += " IS NULL OR ";
  out += record_column;
  out += " NOT IN ";
  open_hop_select(out, inner, hop);
  close_sub(out, inner, where);
  out += ')';
}

void SqlPrinter::exists_join(std::string& out, const SqlSource& root, std::span<const Part> parts,
                             std::span<const std::string_view> inner_joins) {
  std::string where;
  SqlPrinter inner = sub_printer(root, *parts.front().request, parts, inner_joins, where, true);
  out += "EXISTS (SELECT 1 FROM ";
  inner.root_item(out, root);
  close_sub(out, inner, where);
}

void SqlPrinter::in_each_join(std::string& out, const SqlSource& root, std::span<const Part> parts,
                              std::span<const std::string_view> inner_joins) {
  const SqlNode& on = *JoinTree::in_json_each_on(root);
  std::string where;
  SqlPrinter inner = sub_printer(root, *parts.front().request, parts, inner_joins, where, false);
  std::string each = dialect_.quote_identifier(inner.unique_alias("__je"));
  std::string record_id;
  print(record_id, *on.a, *inner.request_);
  functions_.in_operand(out, record_id);
  out += " IN (SELECT ";
  out += each;
  out += '.';
  out += dialect_.quote_identifier(functions_.json_each_value());
  out += " FROM ";
  out += dialect_.quote_identifier(root.table);
  out += ' ';
  out += inner.base_alias_;
  out += " CROSS JOIN ";
  functions_.json_each(out, inner.text(*on.b), true);
  out += ' ';
  out += each;
  close_sub(out, inner, where);
}

void SqlPrinter::no_root_row(std::string& out, const SqlSource& root, const RequestInfo& request) {
  std::string where;
  SqlPrinter inner = sub_printer(root, request, {}, {}, where, true);
  out += "NOT EXISTS (SELECT 1 FROM ";
  inner.root_item(out, root);
  close_sub(out, inner, where);
}

void SqlPrinter::no_hop_row(std::string& out, const SqlSource& hop) {
  std::string record_column =
      base_alias_ + "." + dialect_.quote_identifier(JoinTree::record_column(hop));
  SqlPrinter inner(*this, hop, unique_alias(hop.alias));
  inner.guards_ = guards_;
  std::string guard_text;
  if (guards_ != nullptr) {
    auto guard = guards_->find(std::string(hop.key));
    if (guard != guards_->end()) {
      inner.print(guard_text, *guard->second.condition, *guard->second.request);
    }
  }
  out += "NOT EXISTS (SELECT 1 FROM ";
  out += dialect_.quote_identifier(hop.table);
  out += ' ';
  out += inner.base_alias_;
  out += " WHERE ";
  out += inner.base_alias_;
  out += '.';
  out += dialect_.quote_identifier(JoinTree::hop_column(hop));
  out += " = ";
  out += record_column;
  if (!guard_text.empty()) {
    out += " AND ";
    out += guard_text;
  }
  out += ')';
  for (db::Value& param : inner.params_) params_.push_back(std::move(param));
  used_aliases_ = std::move(inner.used_aliases_);
}

void SqlPrinter::print_nulled(std::string& out, const SqlNode& node, const RequestInfo& request,
                              std::span<const std::string_view> nulled) {
  std::span<const std::string_view> saved = nulled_;
  nulled_ = nulled;
  print(out, node, request);
  nulled_ = saved;
}

}  // namespace basalt::query
