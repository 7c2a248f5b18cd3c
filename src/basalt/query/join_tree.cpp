#include "basalt/query/join_tree.hpp"

#include <algorithm>

#include "basalt/schema/field.hpp"

namespace basalt::query {
namespace {

// A source of the main query: a join (it has a key) or the record itself.
bool is_record(const SqlSource& source) {
  return source.record_row;
}

void add_join(std::vector<const SqlSource*>& joins, const SqlSource* source) {
  for (const SqlSource* known : joins) {
    if (known == source || known->key == source->key) return;
  }
  joins.push_back(source);
}

// Collects what `node` reads. Subquery-local sources (the tables of a multi-match subquery,
// a rule's own table) have no key and are never the record's row outside their subquery, so
// they are not visited: kMatchValue and kRuleHolds' condition are skipped.
void collect(const SqlNode& node, ConditionRefs& refs) {
  switch (node.op) {
    case SqlOp::kColumn:
    case SqlOp::kEachValue:
      if (node.source != nullptr) {
        if (is_record(*node.source)) {
          refs.record = true;
        } else if (!node.source->key.empty()) {
          add_join(refs.joins, node.source);
        }
      }
      return;
    case SqlOp::kMatchValue:
      return;
    case SqlOp::kNotExists:
      refs.all_of.push_back(&node);
      // Only the failing condition may read the outer query (the other operand); b and
      // args are the subquery's row conditions.
      collect(*node.a, refs);
      return;
    case SqlOp::kRuleHolds:
      collect(*node.a, refs);
      return;
    default:
      break;
  }
  if (node.a != nullptr) collect(*node.a, refs);
  if (node.b != nullptr) collect(*node.b, refs);
  for (const SqlNode* arg : node.args()) collect(*arg, refs);
}

bool is_column_of(const SqlNode* node, const SqlSource* source, std::string_view name) {
  return node != nullptr && node->op == SqlOp::kColumn && node->source == source &&
         (name.empty() || node->name == name);
}

// `on` is `<self>.<a> = <other>.<b>` with plain columns: the other column, else nullptr.
const SqlNode* equi_join_column(const SqlSource& self) {
  const SqlNode* on = self.on;
  if (self.kind != SourceKind::kTable || on == nullptr || on->op != SqlOp::kCompare ||
      on->compare != CompareOp::kEq) {
    return nullptr;
  }
  if (!is_column_of(on->a, &self, {}) || on->b == nullptr || on->b->op != SqlOp::kColumn ||
      on->b->source == &self) {
    return nullptr;
  }
  return on->b;
}

}  // namespace

ConditionRefs JoinTree::refs(const SqlNode& condition) const {
  ConditionRefs refs;
  collect(condition, refs);
  return refs;
}

std::vector<const SqlSource*> JoinTree::parents(const SqlSource& source, bool& record) const {
  ConditionRefs refs;
  if (source.on != nullptr) collect(*source.on, refs);
  if (source.array != nullptr) collect(*source.array, refs);
  std::erase_if(refs.joins, [&](const SqlSource* s) { return s->key == source.key; });
  record = refs.record || !refs.all_of.empty();
  return refs.joins;
}

const SqlSource* JoinTree::hop(const SqlSource& join) const {
  const SqlSource* current = &join;
  for (int depth = 0; depth < 64; ++depth) {
    bool record = false;
    std::vector<const SqlSource*> up = parents(*current, record);
    if (up.empty()) {
      if (!record) return nullptr;  // @request.auth, @collection, request values
      const SqlNode* other = equi_join_column(*current);
      return other != nullptr && other->source != nullptr && is_record(*other->source) ? current
                                                                                       : nullptr;
    }
    if (record || up.size() != 1) return nullptr;
    current = up.front();
  }
  return nullptr;
}

const SqlSource* JoinTree::root(const SqlSource& join) const {
  const SqlSource* current = &join;
  for (int depth = 0; depth < 64; ++depth) {
    bool record = false;
    std::vector<const SqlSource*> up = parents(*current, record);
    if (up.empty()) return current;
    if (record || up.size() != 1) return nullptr;
    current = up.front();
  }
  return nullptr;
}

bool JoinTree::reads_record(const SqlSource& root) const {
  bool record = false;
  parents(root, record);
  return record;
}

const SqlNode* JoinTree::in_json_each_on(const SqlSource& root) {
  const SqlNode* on = root.on;
  if (root.kind != SourceKind::kTable || on == nullptr || on->op != SqlOp::kInJsonEach) {
    return nullptr;
  }
  bool record_column = on->a != nullptr && on->a->op == SqlOp::kColumn &&
                       on->a->source != nullptr && is_record(*on->a->source);
  return record_column && is_column_of(on->b, &root, {}) ? on : nullptr;
}

const SqlSource* JoinTree::parent(const SqlSource& join) const {
  bool record = false;
  std::vector<const SqlSource*> up = parents(join, record);
  return !record && up.size() == 1 ? up.front() : nullptr;
}

bool JoinTree::single(const SqlSource& join) const {
  const SqlNode* other = equi_join_column(join);
  if (other == nullptr || join.on->a->name != schema::kFieldId) return false;
  return other->source != nullptr &&
         (is_record(*other->source) || (!other->source->key.empty() && single(*other->source)));
}

std::string_view JoinTree::record_column(const SqlSource& hop) {
  return hop.on->b->name;
}

std::string_view JoinTree::hop_column(const SqlSource& hop) {
  return hop.on->a->name;
}

bool JoinTree::follows(const MultiMatch& match, const SqlSource& hop) {
  if (match.from == nullptr || !match.from->record_row || match.join_count == 0) return false;
  if (hop_column(hop) != schema::kFieldId) return false;  // a back-relation: all of its rows
  const SqlSource& first = *match.joins()[0];
  const SqlNode* other = equi_join_column(first);
  return other != nullptr && first.table == hop.table && first.on->a->name == schema::kFieldId &&
         other->source == match.from && other->name == record_column(hop);
}

bool JoinTree::all_follow(const SqlNode& not_exists, const SqlSource& hop) {
  if (not_exists.match == nullptr || !follows(*not_exists.match, hop)) return false;
  return not_exists.match2 == nullptr || follows(*not_exists.match2, hop);
}

}  // namespace basalt::query
