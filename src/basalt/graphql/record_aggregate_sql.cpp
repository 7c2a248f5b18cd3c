// `_aggregate` fields in SQL (record_compiler.hpp): count/sum/avg/min/max over a list's records
// (all it selects, or its page when limit/offset are given) and its `nodes`.
#include "basalt/graphql/record_compiler.hpp"

#include "basalt/graphql/record_fields.hpp"

namespace basalt::graphql::detail {

namespace json = boost::json;

// `<list>_aggregate` of a multiple relation or back-relation.
std::string StatementCompiler::list_aggregate(const Collection& target, const ListSource& source,
                                              const FieldGroup& sub) {
  const Deeper deeper(*this);
  const Pages pages =
      pages_of(arguments(sub), "SELECT " + source.alias + ".*" + source.from, source.tail);
  return json_.parse("(SELECT " +
                     inside_list([&] { return aggregate_json(target, source.alias, sub, pages); }) +
                     ")");
}

StatementCompiler::Pages StatementCompiler::pages_of(const json::object& args,
                                                     const std::string& select_from,
                                                     const std::string& tail) {
  const auto given = [&](const char* name) {
    const json::value* value = args.if_contains(name);
    return value != nullptr && !value->is_null();
  };
  Pages out;
  out.page = select_from + tail;
  out.all = given("limit") || given("offset") ? out.page : select_from;
  return out;
}

// `<c>_aggregate` over `pages` (`a` is the alias of their records).
std::string StatementCompiler::aggregate_json(const Collection& c, const std::string& a,
                                              const FieldGroup& group, const Pages& pages) {
  const TypeDef* type = generated_.schema.find_type(c.name + "_aggregate");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const FieldGroup& sub : scope_.collect_sub(*type, group)) {
    std::string value;
    if (sub.field_name == "__typename") {
      value = param(type->name);
    } else if (sub.field_name == "nodes") {
      value = json_.parse("(SELECT " + json_.array_of_rows(record_json(c, a, sub)) + " FROM (" +
                          pages.page + ") AS " + a + ")");
    } else {
      value = json_.parse("(SELECT " + aggregate_fields(c, a, sub) + " FROM (" + pages.all +
                          ") AS " + a + ")");
    }
    pairs.emplace_back(std::string(sub.response_name), std::move(value));
  }
  return object_sql(pairs);
}

std::string StatementCompiler::aggregate_fields(const Collection& c, const std::string& a,
                                                const FieldGroup& group) {
  const TypeDef* type = generated_.schema.find_type(c.name + "_aggregate_fields");
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const FieldGroup& sub : scope_.collect_sub(*type, group)) {
    std::string value;
    const std::string_view name = sub.field_name;
    if (name == "__typename") {
      value = param(type->name);
    } else if (name == "count") {
      value = count_expr(c, a, sub);
    } else {
      const std::string part_type = c.name + "_" + std::string(name) + "_fields";
      const TypeDef* part = generated_.schema.find_type(part_type);
      std::string function = name == "sum"   ? "SUM"
                             : name == "avg" ? "AVG"
                             : name == "min" ? "MIN"
                                             : "MAX";
      std::vector<std::pair<std::string, std::string>> columns;
      for (const FieldGroup& field : scope_.collect_sub(*part, sub)) {
        std::string expr = field.field_name == "__typename"
                               ? param(part_type)
                               : function + "(" + col(a, field.field_name) + ")";
        const schema::Field* f = c.field_by_name(field.field_name);
        if (f != nullptr && (name == "min" || name == "max") && field_shape(*f).integer) {
          expr = dialect_.integer_cast(expr);
        }
        columns.emplace_back(std::string(field.response_name), std::move(expr));
      }
      value = object_sql(columns);
    }
    pairs.emplace_back(std::string(sub.response_name), std::move(value));
  }
  return object_sql(pairs);
}

std::string StatementCompiler::count_expr(const Collection& c, const std::string& a,
                                          const FieldGroup& sub) {
  const json::object args = arguments(sub);
  std::vector<std::string> columns;
  if (const json::value* given = args.if_contains("columns"); given && given->is_array()) {
    for (const json::value& column : given->get_array()) {
      if (column.is_string() && c.field_by_name(column.get_string()) != nullptr) {
        columns.push_back(col(a, column.get_string()));
      }
    }
  }
  const json::value* distinct = args.if_contains("distinct");
  const bool is_distinct = distinct != nullptr && distinct->is_bool() && distinct->get_bool();
  if (columns.empty()) return "COUNT(*)";
  if (is_distinct) {
    if (columns.size() != 1) {
      throw FieldFailure(ErrorCode::kValidationFailed,
                         "count(distinct: true) takes exactly one column.");
    }
    return "COUNT(DISTINCT " + columns.front() + ")";
  }
  std::string condition;
  for (const std::string& column : columns) {
    condition += (condition.empty() ? "" : " AND ") + column + " IS NOT NULL";
  }
  return "COUNT(CASE WHEN " + condition + " THEN 1 END)";
}

}  // namespace basalt::graphql::detail
