// JoinTree: how the LEFT JOINs a compiled condition reads hang together, for QueryBuilder's
// choice between printing them in the main FROM and folding them into a semi-join
// (docs/query-compiler.md).
//
// A join of the main query is found from the SqlNodes of its conditions (kColumn, kEachValue
// sources that are neither the record itself nor a subquery's own table). Its parent is the
// source its ON (or json_each array) reads; following parents leads to
//   - a hop: a table join whose ON is `<join>.<col> = <record>.<col>` (a single relation
//     `author`, or a back-relation through a single relation field `comments_via_post`), or
//   - another root: the first join of a chain that reads no other join - a json_each of the
//     record's own multiple field (`tags`), a back-relation through a multiple field (its ON
//     is `<record>.id IN json_each(<join>.<col>)`), or a join that reads no row of the
//     query at all (`@request.auth`, `@request.body.<relation>`, `@collection`). QueryBuilder
//     prints the conditions under one such root as one EXISTS with the root's ON inside.
//   A join whose ON (or array) reads the record and another join, or two other joins, has no
//   root (the resolver builds none today) and stays in the main FROM.
// A join is single-valued when it is a table joined on its id from a single-valued parent (or
// the record): it never repeats the record's row, so DISTINCT is not needed for it.
//
// Thread safety: one per QueryBuilder; the SqlNodes are only read.
#pragma once

#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/query/sql_node.hpp"

namespace basalt::query {

// What one condition (a conjunct of the WHERE clause) reads.
struct ConditionRefs {
  std::vector<const SqlSource*> joins;  // main-query joins it reads, deduplicated by key
  std::vector<const SqlNode*> all_of;   // kNotExists nodes correlated with the record
  bool record = false;                  // reads the record's own columns directly
};

class JoinTree {
 public:
  // What `condition` reads outside of subqueries of its own (a kNotExists's failing condition
  // is included: it compares the subquery's values with operands of the outer query).
  ConditionRefs refs(const SqlNode& condition) const;

  // The hop `join` hangs under, or nullptr when it hangs under nothing a semi-join can start
  // from.
  const SqlSource* hop(const SqlSource& join) const;
  // The first join of the chain `join` hangs under (a hop is a root), or nullptr when a join
  // on the way reads more than one other join.
  const SqlSource* root(const SqlSource& join) const;
  // Whether the root's ON (or array) reads the record (false: @request.auth, @collection, a
  // request body relation: the same rows for every record).
  bool reads_record(const SqlSource& root) const;
  // For a back-relation through a multiple field, `<record>.id IN json_each(<root>.<col>)`:
  // that kInJsonEach node; else nullptr.
  static const SqlNode* in_json_each_on(const SqlSource& root);
  // The join `join`'s ON (or array) reads, when it is exactly one other join; else nullptr.
  const SqlSource* parent(const SqlSource& join) const;
  // Whether `join` yields at most one row per record.
  bool single(const SqlSource& join) const;
  // For a hop: the record's column and the hop's column its ON compares.
  static std::string_view record_column(const SqlSource& hop);
  static std::string_view hop_column(const SqlSource& hop);
  // Whether the all-of subquery `match` walks from the record through `hop` first (a forward
  // single relation), so that it can start from the hop's row instead of the record's.
  static bool follows(const MultiMatch& match, const SqlSource& hop);
  // `node`'s matches (match, match2) all follow `hop`.
  static bool all_follow(const SqlNode& not_exists, const SqlSource& hop);

 private:
  // The sources `source`'s ON or array reads (itself left out); `record` set when it reads the
  // record.
  std::vector<const SqlSource*> parents(const SqlSource& source, bool& record) const;
};

}  // namespace basalt::query
