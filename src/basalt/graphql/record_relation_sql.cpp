// Relation and back-relation levels in SQL (record_compiler.hpp): a related record as an object
// under its viewRule, a list of them as json_group_array over a correlated subquery.
#include "basalt/graphql/record_compiler.hpp"
#include "basalt/graphql/record_fields.hpp"

namespace basalt::graphql::detail {

namespace json = boost::json;

// A relation field: the related record (single) or records (multiple) the caller may view.
std::string StatementCompiler::relation(const std::string& a, const schema::Field& field,
                                        const FieldGroup& sub) {
  const Deeper deeper(*this);
  const Collection* target = catalog_.find(field.as<schema::RelationOptions>()->collection_id);
  if (target == nullptr) throw FieldFailure(ErrorCode::kInternal, "Internal error.");
  if (!field.is_multiple()) {
    if (auto id_only = relation_id_only(a, field, *target, sub)) return *id_only;
    const std::string b = alias();
    const std::string visible =
        visible_condition(b, rule_plans(*target, target->view_rule), nullptr);
    std::string sql = "(SELECT " + record_json(*target, b, sub) + " FROM " + q(target->name) +
                      " AS " + b + " WHERE " + col(b, "id") + " = " + col(a, field.name);
    if (!visible.empty()) sql += " AND " + visible;
    return json_.parse(sql + " LIMIT 1)");
  }
  const ListSource source = multiple_relation_source(a, field, *target, sub);
  return list_sql(inside_list([&] { return record_json(*target, source.alias, sub); }),
                  source.from + source.tail);
}

// `author { id }` (with `__typename` at most) is answered from the relation column, without
// reading the related record: the id is what the REST record shows of the relation anyway.
std::optional<std::string> StatementCompiler::relation_id_only(const std::string& a,
                                                               const schema::Field& field,
                                                               const Collection& target,
                                                               const FieldGroup& sub) {
  const TypeDef* type = generated_.schema.find_type(target.name);
  const std::vector<FieldGroup> parts = scope_.collect_sub(*type, sub);
  for (const FieldGroup& part : parts) {
    if (part.field_name != "id" && part.field_name != "__typename") return std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const FieldGroup& part : parts) {
    pairs.emplace_back(std::string(part.response_name),
                       part.field_name == "id" ? col(a, field.name) : param(target.name));
  }
  const std::string column = col(a, field.name);
  return "CASE WHEN " + column + " IS NULL OR " + column + " = '' THEN NULL ELSE " +
         object_sql(pairs) + " END";
}

// A multiple relation's records the caller may view, in the order the field lists them
// unless order_by says otherwise.
StatementCompiler::ListSource StatementCompiler::multiple_relation_source(
    const std::string& a, const schema::Field& field, const Collection& target,
    const FieldGroup& sub) {
  const json::object args = arguments(sub);
  const std::string b = alias();
  const std::string je = alias();
  const query::PlanPtr where = where_plan(target, args);
  const std::string visible = visible_condition(b, rule_plans(target, target.view_rule), where);
  std::string from = " FROM " + json_.each(col(a, field.name)) + " AS " + je + " JOIN " +
                     q(target.name) + " AS " + b + " ON " + col(b, "id") + " = " + je + "." +
                     std::string(json_.each_value());
  if (!visible.empty()) from += " WHERE " + visible;
  std::string tail =
      order_clause(b, target, args, je + "." + std::string(json_.each_position())) + page(args);
  return {b, std::move(from), std::move(tail)};
}

// The records of `other` whose relation `field` names the record read as `a`.
StatementCompiler::ListSource StatementCompiler::back_relation_source(const std::string& a,
                                                                      const Collection& other,
                                                                      const schema::Field& field,
                                                                      const FieldGroup& sub) {
  const json::object args = arguments(sub);
  const std::string b = alias();
  std::string link;
  if (field.is_multiple()) {
    const std::string je = alias();
    link = "EXISTS (SELECT 1 FROM " + json_.each(col(b, field.name)) + " AS " + je + " WHERE " +
           je + "." + std::string(json_.each_value()) + " = " + col(a, "id") + ")";
  } else {
    link = col(b, field.name) + " = " + col(a, "id");
  }
  const query::PlanPtr where = where_plan(other, args);
  const std::string visible = visible_condition(b, rule_plans(other, other.view_rule), where);
  std::string from = " FROM " + q(other.name) + " AS " + b + " WHERE " + link;
  if (!visible.empty()) from += " AND " + visible;
  std::string tail = order_clause(b, other, args) + page(args);
  return {b, std::move(from), std::move(tail)};
}

std::string StatementCompiler::back_relation(const std::string& a, const Collection& other,
                                             const schema::Field& field, const FieldGroup& sub) {
  const Deeper deeper(*this);
  if (single_back_relation(other, field)) {
    // A uniquely indexed relation: the one record that names this one, if the caller may
    // view it.
    const std::string b = alias();
    const std::string visible = visible_condition(b, rule_plans(other, other.view_rule), nullptr);
    std::string sql = "(SELECT " + record_json(other, b, sub) + " FROM " + q(other.name) + " AS " +
                      b + " WHERE " + col(b, field.name) + " = " + col(a, "id");
    if (!visible.empty()) sql += " AND " + visible;
    return json_.parse(sql + " LIMIT 1)");
  }
  const ListSource source = back_relation_source(a, other, field, sub);
  return list_sql(inside_list([&] { return record_json(other, source.alias, sub); }),
                  source.from + source.tail);
}

std::string StatementCompiler::list_sql(const std::string& record, const std::string& from) {
  const std::string item = q("__gq_item");
  // The subquery has an alias: PostgreSQL before 16 requires one (SQLite takes it).
  return "(SELECT " + json_.array_of_rows(item) + " FROM (SELECT " + record + " AS " + item + from +
         ") AS " + q("__gq_items") + ")";
}

}  // namespace basalt::graphql::detail
