// SqlNodeFactory: builds SqlNodes, sources and subqueries in an Arena (sql_node.hpp, invariant
// 1). The resolver uses it with a Plan's arena, lowering with a compilation's.
#pragma once

#include <initializer_list>
#include <span>
#include <string_view>

#include "basalt/query/arena.hpp"
#include "basalt/query/sql_node.hpp"

namespace basalt::query {

class SqlNodeFactory {
 public:
  explicit SqlNodeFactory(Arena& arena) noexcept : arena_(arena) {}

  Arena& arena() noexcept { return arena_; }
  std::string_view copy(std::string_view text) { return arena_.copy(text); }

  // `plain_text`: the column holds plain TEXT on every engine (an id, a text or single-value
  // field), which lets a dialect compare it natively (SqlNode::plain_text).
  const SqlNode* column(const SqlSource* source, std::string_view name, Affinity affinity,
                        int field_index = -1, bool plain_text = false,
                        PlainNumber number = PlainNumber::kNone);
  const SqlNode* param(const ParamValue& value, bool aux = false);
  const SqlNode* text_param(std::string_view text, bool aux = false);  // copies `text`
  const SqlNode* null();
  const SqlNode* integer(std::int64_t value);
  const SqlNode* empty_text();
  const SqlNode* each_value(const SqlSource* source);
  const SqlNode* match_value(const MultiMatch* match);
  const SqlNode* auth_id();
  const SqlNode* unary(SqlOp op, const SqlNode* a);  // kLower, kCoalesceEmpty, kNot, ...
  const SqlNode* json_extract(const SqlNode* value, std::span<const JsonPathStep> path);
  const SqlNode* compare(CompareOp op, const SqlNode* a, const SqlNode* b);
  const SqlNode* case_when(const SqlNode* condition, const SqlNode* value);
  const SqlNode* in_json_each(const SqlNode* a, const SqlNode* array);
  const SqlNode* in_body_ids(const SqlNode* a, std::string_view field);
  const SqlNode* call(SqlOp op, std::span<const SqlNode* const> args);  // kGeoDistance, ...
  // kAnd / kOr of the given conditions; a single one is returned as is.
  const SqlNode* logical(SqlOp op, std::span<const SqlNode* const> args);
  const SqlNode* logical(SqlOp op, std::initializer_list<const SqlNode*> args) {
    return logical(op, std::span<const SqlNode* const>(args.begin(), args.size()));
  }
  // `where` / `where2`: the lowered row conditions of `match` / `match2` (nullptr: none).
  const SqlNode* not_exists(const MultiMatch* match, const MultiMatch* match2,
                            const SqlNode* condition, const SqlNode* where = nullptr,
                            const SqlNode* where2 = nullptr);
  // Whether the row of `base`'s table with id `a` satisfies `condition` (resolved against base).
  const SqlNode* rule_holds(const SqlNode* a, const SqlSource* base, const SqlNode* condition);

  SqlSource* table(std::string_view table, std::string_view alias, std::string_view key,
                   const SqlNode* on, bool record_row = false);
  const SqlSource* json_each(const SqlNode* array, bool normalize, std::string_view alias,
                             std::string_view key);
  const MultiMatch* multi_match(const SqlSource* from, const SqlSource* target,
                                std::span<const SqlSource* const> joins, const SqlNode* value,
                                const SqlNode* where = nullptr,
                                std::span<const JoinRule> rules = {});
  // `match` with another value (same rows).
  const MultiMatch* multi_match(const MultiMatch& match, const SqlNode* value);

 private:
  SqlNode* node(SqlOp op) { return arena_.make<SqlNode>(SqlNode{.op = op}); }

  Arena& arena_;
};

}  // namespace basalt::query
