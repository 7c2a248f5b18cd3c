#include "basalt/query/query_builder.hpp"

#include <algorithm>
#include <utility>

#include "basalt/query/join_tree.hpp"
#include "basalt/query/null_fold.hpp"

namespace basalt::query {
namespace {

bool contains_key(std::span<const std::string_view> keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

}  // namespace

QueryBuilder::QueryBuilder(const db::Dialect& dialect, const Plan& table_plan,
                           std::size_t first_placeholder)
    : arena_(4096),
      printer_(dialect, filter_dialect_for(dialect), table_plan.base(), first_placeholder),
      table_(printer_.base_alias()) {
  printer_.set_guards(&guards_);
}

void QueryBuilder::add_condition(const SqlNode* condition, const RequestInfo& request) {
  if (condition == nullptr) return;
  if (condition->op == SqlOp::kAnd) {
    for (const SqlNode* child : condition->args()) add_condition(child, request);
    return;
  }
  conjuncts_.push_back({condition, &request});
}

void QueryBuilder::add_list_rules(const Plan& plan, Lowering& lowering,
                                  const RequestInfo& request) {
  for (const JoinRule& rule : plan.list_rules()) {
    std::string key(rule.join->key);
    if (guards_.contains(key)) continue;
    guards_.emplace(std::move(key), SqlPrinter::Guard{lowering.join_guard(rule), &request});
  }
}

void QueryBuilder::add_filter(const Plan& plan, const RequestInfo& request, Clock::time_point now) {
  Lowering lowering(arena_, request, now);
  add_list_rules(plan, lowering, request);
  add_condition(lowering.filter(plan), request);
}

void QueryBuilder::add_sort(const Plan& plan, const RequestInfo& request, Clock::time_point now) {
  Lowering lowering(arena_, request, now);
  add_list_rules(plan, lowering, request);
  for (const SortTerm& term : plan.sort()) {
    // Its joins belong to FROM, which the COUNT statement shares: register them now.
    if (term.kind == SortKind::kField) printer_.register_joins(*term.expr, request);
    sorts_.push_back({&term, &request});
  }
}

void QueryBuilder::read_record_from(std::string_view source) {
  std::string quoted = printer_.dialect().quote_identifier(source);
  printer_.read_record_from(quoted);
  record_source_ = quoted + " " + table_;
}

void QueryBuilder::print_conditions() {
  JoinTree tree;
  // Per conjunct: the root its semi-join would start from (nullptr: printed plainly).
  std::vector<ConditionRefs> refs;
  std::vector<const SqlSource*> roots;
  for (const Conjunct& conjunct : conjuncts_) {
    ConditionRefs found = tree.refs(*conjunct.condition);
    const SqlSource* root = nullptr;
    bool usable = true;
    for (const SqlSource* join : found.joins) {
      const SqlSource* under = tree.root(*join);
      if (under == nullptr || (root != nullptr && root->key != under->key)) usable = false;
      if (root == nullptr) root = under;
    }
    if (root != nullptr && tree.hop(*root) == root) {
      // Under a hop the subquery is `<record>.<col> IN (...)`, read once: it must not read
      // the record, and its all-of subqueries must start from the hop's row.
      usable = usable && !found.record;
      for (const SqlNode* all_of : found.all_of)
        usable = usable && JoinTree::all_follow(*all_of, *root);
    }
    // Under any other root an EXISTS with the root's ON inside may read the record (it is
    // correlated anyway) and keeps its all-of subqueries correlated with the record.
    roots.push_back(usable && !plain_joins_ ? root : nullptr);
    refs.push_back(std::move(found));
  }
  // An all-of subquery standing alone (`... AND NOT EXISTS (...)` of a plain operator) joins
  // the semi-join of the hop it walks through, if there is one: it reads no outer row.
  for (std::size_t i = 0; i < conjuncts_.size(); ++i) {
    if (roots[i] != nullptr || refs[i].record || !refs[i].joins.empty() || refs[i].all_of.empty()) {
      continue;
    }
    for (const SqlSource* root : roots) {
      if (root == nullptr || tree.hop(*root) != root) continue;
      bool follows = std::all_of(refs[i].all_of.begin(), refs[i].all_of.end(),
                                 [&](const SqlNode* n) { return JoinTree::all_follow(*n, *root); });
      if (follows) {
        roots[i] = root;
        break;
      }
    }
  }
  // A multi-valued join under a root read in the main FROM (by a plain condition or the sort)
  // keeps the root's conditions there too: they may have to hold on the same related row.
  std::vector<std::string_view> plain_roots;
  auto note_plain = [&](const SqlSource* join) {
    if (tree.single(*join)) return;
    if (const SqlSource* root = tree.root(*join)) plain_roots.push_back(root->key);
  };
  for (const SqlSource* join : printer_.join_sources()) note_plain(join);
  for (std::size_t i = 0; i < conjuncts_.size(); ++i) {
    if (roots[i] == nullptr) {
      for (const SqlSource* join : refs[i].joins) note_plain(join);
    }
  }
  for (const SqlSource*& root : roots) {
    if (root != nullptr && contains_key(plain_roots, root->key)) root = nullptr;
  }

  std::vector<std::string_view> printed;
  for (std::size_t i = 0; i < conjuncts_.size(); ++i) {
    if (roots[i] == nullptr) {
      if (!where_.empty()) where_ += " AND ";
      printer_.print(where_, *conjuncts_[i].condition, *conjuncts_[i].request);
      continue;
    }
    const SqlSource& root = *roots[i];
    if (contains_key(printed, root.key)) continue;
    printed.push_back(root.key);
    std::vector<Conjunct> parts;
    bool reads_outer = false;  // a part reads the record or has an all-of subquery
    std::vector<const SqlSource*> joins{&root};  // the root first, then what the parts read
    for (std::size_t j = i; j < conjuncts_.size(); ++j) {
      if (roots[j] == nullptr || roots[j]->key != root.key) continue;
      parts.push_back(conjuncts_[j]);
      reads_outer = reads_outer || refs[j].record || !refs[j].all_of.empty();
      for (const SqlSource* join : refs[j].joins) {
        // With the joins between it and the root (a json_each under a multiple relation).
        for (const SqlSource* up = join; up != nullptr && up->key != root.key;
             up = tree.parent(*up)) {
          bool known = std::any_of(joins.begin(), joins.end(),
                                   [&](const SqlSource* s) { return s->key == up->key; });
          if (!known) joins.push_back(up);
        }
      }
    }
    SemiJoinForm form = SemiJoinForm::kExists;
    if (tree.hop(root) == &root) {
      form = SemiJoinForm::kIn;
    } else if (!reads_outer && JoinTree::in_json_each_on(root) != nullptr) {
      form = SemiJoinForm::kInEach;
    }
    print_semi_join(root, form, parts, joins);
  }
}

void QueryBuilder::print_semi_join(const SqlSource& root, SemiJoinForm form,
                                   std::span<const Conjunct> parts,
                                   std::span<const SqlSource* const> joins) {
  JoinTree tree;
  // Whether some part can never hold while the joins keyed in `keys` read as NULL.
  auto rejects_null = [&](std::span<const std::string_view> keys) {
    return std::any_of(parts.begin(), parts.end(), [&](const Conjunct& part) {
      Truth truth = fold_with_null_joins(*part.condition, keys);
      return truth == Truth::kFalse || truth == Truth::kNull;
    });
  };
  std::vector<std::string_view> nulled;
  for (const SqlSource* join : joins) nulled.push_back(join->key);
  // A join under the root may be an inner join when its NULL row (and so its descendants')
  // matches nothing: the rows it drops are rows no part could match.
  std::vector<std::string_view> inner;
  for (const SqlSource* join : joins) {
    if (join == &root) continue;
    std::vector<std::string_view> below;
    for (const SqlSource* other : joins) {
      for (const SqlSource* up = other; up != nullptr && up->key != root.key;
           up = tree.parent(*up)) {
        if (up->key == join->key) {
          below.push_back(other->key);
          break;
        }
      }
    }
    if (rejects_null(below)) inner.push_back(join->key);
  }
  // What the conditions are for a record without a `root` row it may see (the LEFT JOINs
  // would give it one row of NULLs): never true (the branch is left out), always true, or a
  // condition on the record that is printed with those NULLs.
  bool never = false;
  bool always = true;
  std::vector<const Conjunct*> open;
  for (const Conjunct& part : parts) {
    Truth truth = fold_with_null_joins(*part.condition, nulled);
    if (truth == Truth::kFalse || truth == Truth::kNull) never = true;
    if (truth == Truth::kUnknown) open.push_back(&part);
    if (truth != Truth::kTrue) always = false;
  }
  std::vector<SqlPrinter::Part> printed;
  for (const Conjunct& part : parts) printed.push_back({part.condition, part.request});
  auto semi = [&] {
    switch (form) {
      case SemiJoinForm::kIn:
        printer_.semi_join(where_, root, printed, inner);
        return;
      case SemiJoinForm::kInEach:
        printer_.in_each_join(where_, root, printed, inner);
        return;
      case SemiJoinForm::kExists:
        printer_.exists_join(where_, root, printed, inner);
        return;
    }
  };

  if (!where_.empty()) where_ += " AND ";
  if (never) {
    semi();
    return;
  }
  // Every part holds without a visible row, and every row under the hop is the only one of
  // its record: "some row holds" is "no visible row fails", an anti-join whose NOT IN SQLite
  // checks against one list (no OR with a correlated NOT EXISTS per record).
  bool single = std::all_of(joins.begin(), joins.end(),
                            [&](const SqlSource* join) { return tree.single(*join); });
  if (form == SemiJoinForm::kIn && always && single) {
    printer_.anti_join(where_, root, printed);
    return;
  }
  where_ += '(';
  semi();
  where_ += " OR (";
  for (const Conjunct* part : open) {
    printer_.print_nulled(where_, *part->condition, *part->request, nulled);
    where_ += " AND ";
  }
  if (form == SemiJoinForm::kIn) {
    printer_.no_hop_row(where_, root);
  } else {
    printer_.no_root_row(where_, root, *parts.front().request);
  }
  where_ += "))";
}

CompiledQuery QueryBuilder::finish() && {
  print_conditions();
  CompiledQuery query;
  query.count_param_count = printer_.params().size();
  std::string order_by;
  for (const PendingSort& sort : sorts_) {
    if (!order_by.empty()) order_by += ", ";
    const SortTerm& term = *sort.term;
    switch (term.kind) {
      case SortKind::kRandom:
        order_by += printer_.functions().random();
        query.order_keys.emplace_back(printer_.functions().random());
        continue;  // PocketBase ignores a direction on @random
      case SortKind::kRowid:
        order_by += table_ + "." + std::string(printer_.functions().rowid());
        query.order_keys.push_back(table_ + "." + std::string(printer_.functions().rowid()));
        break;
      case SortKind::kField: {
        std::string key;
        printer_.print(key, *term.expr, *sort.request);
        std::string sort_key;
        printer_.functions().sort_key(sort_key,
                                      {key, Affinity::kNone, SqlPrinter::plain_text(*term.expr),
                                       SqlPrinter::plain_number(*term.expr)});
        order_by += sort_key;
        query.order_keys.push_back(std::move(sort_key));
        break;
      }
    }
    order_by += printer_.functions().sort_direction(term.direction == SortDirection::kDesc);
  }
  JoinTree tree;
  query.distinct = std::any_of(printer_.join_sources().begin(), printer_.join_sources().end(),
                               [&](const SqlSource* join) { return !tree.single(*join); });
  query.table = table_;
  query.record_source = std::move(record_source_);
  query.joins = printer_.joins();
  query.where = std::move(where_);
  query.order_by = std::move(order_by);
  query.next_placeholder = printer_.next_placeholder();
  query.params = std::move(printer_.params());
  query.rowid = table_ + "." + std::string(printer_.functions().rowid());
  query.distinct_on = printer_.functions().distinct_sorts_by_selected_columns_only();
  return query;
}

CompiledQuery compile_filter(const db::Dialect& dialect, const Plan& plan,
                             const RequestInfo& request, Clock::time_point now,
                             std::size_t first_placeholder, std::string_view record_source) {
  QueryBuilder builder(dialect, plan, first_placeholder);
  if (!record_source.empty()) builder.read_record_from(record_source);
  builder.add_filter(plan, request, now);
  return std::move(builder).finish();
}

}  // namespace basalt::query
