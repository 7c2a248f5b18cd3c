#include <cmath>

#include "basalt/query/sql_node.hpp"
#include "basalt/query/sql_node_factory.hpp"

namespace basalt::query {

db::Value ParamValue::to_db() const {
  switch (kind) {
    case Kind::kText:
      return std::string(text);
    case Kind::kReal:
      if (std::isnan(real)) return nullptr;  // sqlite3_bind_double(NaN) binds NULL
      return real;
    case Kind::kInteger:
    case Kind::kBool:
      return integer;
    case Kind::kNull:
      break;
  }
  return nullptr;
}

const SqlNode* SqlNodeFactory::column(const SqlSource* source, std::string_view name,
                                      Affinity affinity, int field_index, bool plain_text,
                                      PlainNumber number) {
  SqlNode* n = node(SqlOp::kColumn);
  n->plain_text = plain_text;
  n->number = number;
  n->source = source;
  n->name = name;
  n->affinity = affinity;
  n->field_index = field_index;
  return n;
}

const SqlNode* SqlNodeFactory::param(const ParamValue& value, bool aux) {
  SqlNode* n = node(SqlOp::kParam);
  n->param = value;
  n->aux = aux;
  return n;
}

const SqlNode* SqlNodeFactory::text_param(std::string_view text, bool aux) {
  ParamValue value;
  value.kind = ParamValue::Kind::kText;
  value.text = arena_.copy(text);
  return param(value, aux);
}

const SqlNode* SqlNodeFactory::null() {
  return node(SqlOp::kNull);
}

const SqlNode* SqlNodeFactory::integer(std::int64_t value) {
  SqlNode* n = node(SqlOp::kInteger);
  n->integer = value;
  return n;
}

const SqlNode* SqlNodeFactory::empty_text() {
  return node(SqlOp::kEmptyText);
}

const SqlNode* SqlNodeFactory::each_value(const SqlSource* source) {
  SqlNode* n = node(SqlOp::kEachValue);
  n->source = source;
  n->affinity = Affinity::kBlob;  // json_each columns are declared without a type
  return n;
}

const SqlNode* SqlNodeFactory::match_value(const MultiMatch* match) {
  SqlNode* n = node(SqlOp::kMatchValue);
  n->match = match;
  return n;
}

const SqlNode* SqlNodeFactory::auth_id() {
  return node(SqlOp::kAuthId);
}

const SqlNode* SqlNodeFactory::unary(SqlOp op, const SqlNode* a) {
  SqlNode* n = node(op);
  n->a = a;
  return n;
}

const SqlNode* SqlNodeFactory::json_extract(const SqlNode* value,
                                            std::span<const JsonPathStep> path) {
  SqlNode* n = node(SqlOp::kJsonExtract);
  n->a = value;
  n->path = arena_.copy(path);
  return n;
}

const SqlNode* SqlNodeFactory::compare(CompareOp op, const SqlNode* a, const SqlNode* b) {
  SqlNode* n = node(SqlOp::kCompare);
  n->compare = op;
  n->a = a;
  n->b = b;
  return n;
}

const SqlNode* SqlNodeFactory::case_when(const SqlNode* condition, const SqlNode* value) {
  SqlNode* n = node(SqlOp::kCaseWhen);
  n->a = condition;
  n->b = value;
  return n;
}

const SqlNode* SqlNodeFactory::in_json_each(const SqlNode* a, const SqlNode* array) {
  SqlNode* n = node(SqlOp::kInJsonEach);
  n->a = a;
  n->b = array;
  return n;
}

const SqlNode* SqlNodeFactory::in_body_ids(const SqlNode* a, std::string_view field) {
  SqlNode* n = node(SqlOp::kInBodyIds);
  n->a = a;
  n->name = field;
  return n;
}

const SqlNode* SqlNodeFactory::call(SqlOp op, std::span<const SqlNode* const> args) {
  SqlNode* n = node(op);
  auto copied = arena_.copy(args);
  n->arg_data = copied.data();
  n->arg_count = static_cast<std::uint32_t>(copied.size());
  return n;
}

const SqlNode* SqlNodeFactory::logical(SqlOp op, std::span<const SqlNode* const> args) {
  if (args.size() == 1) return args.front();
  return call(op, args);
}

const SqlNode* SqlNodeFactory::not_exists(const MultiMatch* match, const MultiMatch* match2,
                                          const SqlNode* condition, const SqlNode* where,
                                          const SqlNode* where2) {
  SqlNode* n = node(SqlOp::kNotExists);
  n->match = match;
  n->match2 = match2;
  n->a = condition;
  n->b = where;
  if (where2 != nullptr) {
    const SqlNode* args[] = {where2};
    auto copied = arena_.copy(std::span<const SqlNode* const>(args));
    n->arg_data = copied.data();
    n->arg_count = 1;
  }
  return n;
}

const SqlNode* SqlNodeFactory::rule_holds(const SqlNode* a, const SqlSource* base,
                                          const SqlNode* condition) {
  SqlNode* n = node(SqlOp::kRuleHolds);
  n->a = a;
  n->source = base;
  n->b = condition;
  return n;
}

SqlSource* SqlNodeFactory::table(std::string_view table, std::string_view alias,
                                 std::string_view key, const SqlNode* on, bool record_row) {
  return arena_.make<SqlSource>(SqlSource{.kind = SourceKind::kTable,
                                          .record_row = record_row,
                                          .table = arena_.copy(table),
                                          .on = on,
                                          .alias = arena_.copy(alias),
                                          .key = arena_.copy(key)});
}

const SqlSource* SqlNodeFactory::json_each(const SqlNode* array, bool normalize,
                                           std::string_view alias, std::string_view key) {
  return arena_.make<SqlSource>(SqlSource{.kind = SourceKind::kJsonEach,
                                          .normalize = normalize,
                                          .array = array,
                                          .alias = arena_.copy(alias),
                                          .key = arena_.copy(key)});
}

const MultiMatch* SqlNodeFactory::multi_match(const SqlSource* from, const SqlSource* target,
                                              std::span<const SqlSource* const> joins,
                                              const SqlNode* value, const SqlNode* where,
                                              std::span<const JoinRule> rules) {
  auto copied = arena_.copy(joins);
  auto copied_rules = arena_.copy(rules);
  return arena_.make<MultiMatch>(
      MultiMatch{from, target, copied.data(), static_cast<std::uint32_t>(copied.size()), value,
                 where, copied_rules.data(), static_cast<std::uint32_t>(copied_rules.size())});
}

const MultiMatch* SqlNodeFactory::multi_match(const MultiMatch& match, const SqlNode* value) {
  MultiMatch copy = match;
  copy.value = value;
  return arena_.make<MultiMatch>(copy);
}

}  // namespace basalt::query
