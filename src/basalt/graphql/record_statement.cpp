#include "basalt/graphql/record_statement.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "basalt/graphql/field_failure.hpp"
#include "basalt/graphql/json_dialect.hpp"
#include "basalt/graphql/record_fields.hpp"
#include "basalt/graphql/where_filter.hpp"
#include "basalt/query/filter_cost.hpp"
#include "basalt/query/filter_dialect.hpp"
#include "basalt/query/query_builder.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/sort.hpp"

namespace basalt::graphql {
namespace {

namespace json = boost::json;
using schema::Collection;

// The records one root field may return, each list counted at its limit and multiplied by the
// limits of the lists around it: a fan-out that could only run into the statement budget (three
// nested lists at the default limit: 10^9) is refused before it runs.
constexpr std::uint64_t kMaxPotentialRecords = 2'000'000;

// Relation levels below a root field (Compiler::Deeper): REST expand's depth. SQLite's parser
// may refuse a shallower statement heavy with rules and `where` arguments; graphql_service.cpp
// answers that with limit-exceeded too.
constexpr std::size_t kMaxRelationLevels = 6;

// Percent-encoding of a query parameter value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// PostgreSQL's `$N` placeholders: a statement whose text leaves a bound parameter out (an
// aggregate that counts every record drops its page's LIMIT/OFFSET and ORDER BY text, whose
// values were bound) fails to prepare there ("could not determine data type of parameter"),
// where SQLite ignores it. Such parameters are removed and the others renumbered, in order.
// String literals and quoted identifiers are skipped while scanning.
void drop_unused_placeholders(std::string& sql, db::Params& params) {
  std::vector<std::size_t> renumbered(params.size() + 1, 0);
  struct Use {
    std::size_t begin, end, number;
  };
  std::vector<Use> uses;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      const std::size_t close = sql.find(c, i + 1);
      if (close == std::string::npos) return;  // not ours to judge: leave the text as it is
      i = close;
      continue;
    }
    if (c != '$' || i + 1 >= sql.size() || sql[i + 1] < '0' || sql[i + 1] > '9') continue;
    std::size_t end = i + 1;
    std::size_t number = 0;
    while (end < sql.size() && sql[end] >= '0' && sql[end] <= '9') {
      number = number * 10 + static_cast<std::size_t>(sql[end] - '0');
      if (number > params.size()) return;
      ++end;
    }
    if (number == 0) return;
    renumbered[number] = 1;
    uses.push_back({i, end, number});
    i = end - 1;
  }
  if (std::all_of(renumbered.begin() + 1, renumbered.end(), [](std::size_t u) { return u; })) {
    return;
  }
  std::size_t next = 0;
  db::Params kept;
  for (std::size_t n = 1; n < renumbered.size(); ++n) {
    if (renumbered[n] == 0) continue;
    renumbered[n] = ++next;
    kept.push_back(std::move(params[n - 1]));
  }
  std::string out;
  std::size_t copied = 0;
  for (const Use& use : uses) {
    out.append(sql, copied, use.begin - copied);
    out += '$' + std::to_string(renumbered[use.number]);
    copied = use.end;
  }
  out.append(sql, copied);
  sql = std::move(out);
  params = std::move(kept);
}

// Compiles one root field (see the header). Binds its own values (keys, limits, ids) and those
// of the plans it compiles into one numbered parameter list: params_[n - 1] is placeholder n,
// whatever the order the pieces appear in the text.
class Compiler final : public query::ParamBinder {
 public:
  Compiler(const GeneratedSchema& generated, const ExecutionScope& scope,
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

  RootStatement by_ids(const Collection& c, const FieldGroup& group,
                       std::span<const std::string> ids) {
    const std::string a = q(c.name);
    RootStatement out;
    out.kind = RootKind::kList;
    const RootSource source = root_source(c, rule_plans(c, c.view_rule));
    std::string wanted;
    for (const std::string& id : ids) wanted += (wanted.empty() ? "" : ", ") + param(id);
    potential_ += ids.size();
    last_limit_ = ids.size();
    out.statement.sql = source.select + inside_list([&] { return record_json(c, a, group); }) +
                        source.from + (source.filtered ? " AND " : " WHERE ") + col(a, "id") +
                        " IN (" + wanted + ")" + order_clause(a, c, json::object{});
    prepend_ctes(out.statement.sql);
    out.statement.params = std::move(params_);
    finish_placeholders(out.statement.sql, out.statement.params);
    out.scans = true;
    return out;
  }

  RootStatement root(const FieldGroup& group, const RootBinding& binding) {
    const Collection& c = *binding.collection;
    const json::object args = arguments(group);
    // The root reads its table under its own name with the rule and `where` compiled straight
    // into its WHERE, as a REST list page does, so SQLite can stop at the page's last record.
    const std::string a = q(c.name);
    RootStatement out;
    out.kind = binding.kind;
    std::string& sql = out.statement.sql;
    if (binding.kind == RootKind::kByPk) {
      const RootSource source = root_source(c, rule_plans(c, c.view_rule));
      const json::value* id = args.if_contains("id");
      const std::string wanted =
          id != nullptr && id->is_string() ? std::string(id->get_string()) : "";
      std::string where = source.from + (source.filtered ? " AND " : " WHERE ") + col(a, "id") +
                          " = " + param(wanted) + " LIMIT 1";
      sql = source.select + record_json(c, a, group) + where;
    } else {
      std::vector<query::PlanPtr> plans = rule_plans(c, c.list_rule);
      if (query::PlanPtr where = where_plan(c, args)) plans.push_back(std::move(where));
      const RootSource source = root_source(c, plans);
      const std::string order = order_clause(a, c, args);
      const std::string tail = page(args);
      if (binding.kind == RootKind::kList) {
        // The selection is compiled after the page, so its placeholders have higher numbers
        // though they come first in the text: placeholders are numbered, order is irrelevant.
        sql = source.select + inside_list([&] { return record_json(c, a, group); }) + source.from +
              order + tail;
      } else {
        const Pages pages = pages_of(args, source.select + a + ".*" + source.from, order + tail);
        sql = "SELECT " + inside_list([&] { return aggregate_json(c, a, group, pages); });
      }
    }
    prepend_ctes(sql);
    out.statement.params = std::move(params_);
    finish_placeholders(sql, out.statement.params);
    out.scans = potential_ > 0;
    return out;
  }

  // Numbered `$N` placeholders (PostgreSQL) must all appear in the text.
  void finish_placeholders(std::string& sql, db::Params& params) const {
    if (dialect_.placeholder(1) == "$1") drop_unused_placeholders(sql, params);
  }

  // The WITH clause of the levels below the root (visible ids), before the root's SELECT.
  void prepend_ctes(std::string& sql) const {
    if (ctes_.empty()) return;
    std::string with = "WITH ";
    for (std::size_t i = 0; i < ctes_.size(); ++i) with += (i ? ", " : "") + ctes_[i];
    sql = with + " " + sql;
  }

 private:
  // The root's SELECT keyword ("SELECT " or "SELECT DISTINCT " when a join of the filter can
  // repeat a record) and its FROM … [WHERE …] over every plan.
  struct RootSource {
    std::string select = "SELECT ";
    std::string from;
    bool filtered = false;  // `from` ends with a WHERE clause
  };

  RootSource root_source(const Collection& c, const std::vector<query::PlanPtr>& plans) {
    RootSource out;
    if (plans.empty()) {
      out.from = " FROM " + q(c.name);
      return out;
    }
    query::QueryBuilder builder(dialect_, *plans.front(), next_);
    for (const query::PlanPtr& plan : plans) builder.add_filter(*plan, request_, access_.now());
    query::CompiledQuery compiled = std::move(builder).finish();
    for (db::Value& value : compiled.params) params_.push_back(std::move(value));
    next_ = compiled.next_placeholder;
    if (compiled.distinct) out.select = "SELECT DISTINCT ";
    out.from = " FROM " + compiled.from_sql();
    if (!compiled.where.empty()) {
      out.from += " WHERE " + compiled.where;
      out.filtered = true;
    }
    return out;
  }

  // One relation level further down (a relation, back-relation, relation aggregate, or a sort
  // through a relation): each is a subquery inside the level above, and SQLite's parser takes a
  // bounded nesting (3.40: a stack of 100 frames).
  class Deeper {
   public:
    explicit Deeper(Compiler& compiler) : compiler_(compiler) {
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
    Compiler& compiler_;
  };

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

  json::object arguments(const FieldGroup& group) const {
    try {
      return scope_.arguments(group);
    } catch (const std::invalid_argument& e) {
      throw FieldFailure(ErrorCode::kValidationFailed, e.what());
    }
  }

  std::vector<query::PlanPtr> rule_plans(const Collection& c, const schema::Rule& rule) const {
    if (superuser_) return {};
    if (!rule) {
      throw FieldFailure(ErrorCode::kPermissionDenied,
                         "Only superusers can read the collection \"" + c.name + "\".");
    }
    if (rule->empty()) return {};
    return {access_.rule(c, *rule)};
  }

  query::PlanPtr where_plan(const Collection& c, const json::object& args) const {
    return compile_where_argument(access_, c, args);
  }

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
                                const query::PlanPtr& extra) {
    if (extra) plans.push_back(extra);
    if (plans.empty()) return {};
    query::QueryBuilder builder(dialect_, *plans.front(), next_);
    for (const query::PlanPtr& plan : plans) builder.add_filter(*plan, request_, access_.now());
    query::CompiledQuery compiled = std::move(builder).finish();
    for (db::Value& value : compiled.params) params_.push_back(std::move(value));
    next_ = compiled.next_placeholder;
    const std::string id = compiled.table + "." + q("id");
    if (compiled.table == a) return col(a, "id") + " IN (" + compiled.select_sql(id) + ")";
    // No DISTINCT (EXISTS does not mind repeats), so nothing keeps SQLite from flattening it.
    std::string body = "SELECT " + id + " FROM " + compiled.from_sql();
    if (!compiled.where.empty()) body += " WHERE " + compiled.where;
    const std::string name = q("__gqv" + std::to_string(ctes_.size()));
    ctes_.push_back(name + " AS (" + body + ")");
    return "EXISTS (SELECT 1 FROM " + name + " WHERE " + col(name, "id") + " = " + col(a, "id") +
           ")";
  }

  std::string page(const json::object& args) {
    std::int64_t limit = max_list_limit_;
    std::int64_t offset = 0;
    if (const json::value* given = args.if_contains("limit"); given && given->is_int64()) {
      limit = given->get_int64();
      if (limit < 0)
        throw FieldFailure(ErrorCode::kValidationFailed, "limit must not be negative.");
      if (limit > max_list_limit_) {
        throw FieldFailure(ErrorCode::kLimitExceeded,
                           "limit must be at most " + std::to_string(max_list_limit_) + ".");
      }
    }
    if (const json::value* given = args.if_contains("offset"); given && given->is_int64()) {
      offset = given->get_int64();
      if (offset < 0) {
        throw FieldFailure(ErrorCode::kValidationFailed, "offset must not be negative.");
      }
    }
    // Every record this list may hold, once per record of the lists around it.
    potential_ += multiplier_ * static_cast<std::uint64_t>(limit);
    if (potential_ > kMaxPotentialRecords) {
      throw FieldFailure(ErrorCode::kLimitExceeded,
                         "The query may return more than " + std::to_string(kMaxPotentialRecords) +
                             " records (each list counted at its limit, multiplied down the "
                             "nesting): give the nested lists smaller limits.");
    }
    last_limit_ = static_cast<std::uint64_t>(limit);
    return " LIMIT " + param(limit) + " OFFSET " + param(offset);
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

  // ORDER BY the order_by terms, then the insertion order (the order of a REST list without
  // `sort`), so pages are stable.
  std::string order_clause(const std::string& a, const Collection& c, const json::object& args,
                           const std::string& fallback = {}) {
    std::vector<std::string> terms;
    if (const json::value* order = args.if_contains("order_by"); order && order->is_array()) {
      for (const json::value& item : order->get_array()) {
        if (item.is_object()) order_terms(a, c, item.get_object(), {}, terms);
      }
    }
    if (terms.size() > query::kMaxSortFields) {
      throw FieldFailure(ErrorCode::kLimitExceeded, "order_by may have at most " +
                                                        std::to_string(query::kMaxSortFields) +
                                                        " terms (as a REST sort).");
    }
    if (!fallback.empty()) terms.push_back(fallback);
    // The row order REST lists fall back on (SQLite's rowid, PostgreSQL's ctid).
    terms.push_back(c.is_view()
                        ? col(a, "id")
                        : a + "." + std::string(query::filter_dialect_for(dialect_).rowid()));
    std::string out = " ORDER BY ";
    for (std::size_t i = 0; i < terms.size(); ++i) out += (i ? ", " : "") + terms[i];
    return out;
  }

  using Wrap = std::function<std::string(const std::string&)>;

  void order_terms(const std::string& a, const Collection& c, const json::object& spec,
                   const Wrap& wrap, std::vector<std::string>& terms) {
    for (const auto& [key, value] : spec) {
      const schema::Field* field = c.field_by_name(key);
      if (field == nullptr) continue;
      const auto* relation = field->as<schema::RelationOptions>();
      if (relation != nullptr && value.is_object()) {
        const Collection* target = catalog_.find(relation->collection_id);
        if (target == nullptr) continue;
        // The related record's value, read under the target's listRule (as a REST sort by
        // `author.name` reads it): a record the caller may not list sorts as no value.
        const std::string b = alias();
        const std::string visible =
            visible_condition(b, rule_plans(*target, target->list_rule), nullptr);
        const std::string link = col(b, "id") + " = " + col(a, key);
        const std::string condition = visible.empty() ? link : link + " AND " + visible;
        Wrap inner = [wrap, b, table = q(target->name), condition](const std::string& expr) {
          std::string sub = "(SELECT " + expr + " FROM " + table + " AS " + b + " WHERE " +
                            condition + " LIMIT 1)";
          return wrap ? wrap(sub) : sub;
        };
        const Deeper deeper(*this);
        order_terms(b, *target, value.get_object(), inner, terms);
        continue;
      }
      if (!value.is_string()) continue;
      const std::string_view direction = value.get_string();
      std::string expr = col(a, key);
      if (wrap) expr = wrap(expr);
      if (direction == "asc" || direction == "asc_nulls_last") {
        terms.push_back(expr + " ASC NULLS LAST");
      } else if (direction == "asc_nulls_first") {
        terms.push_back(expr + " ASC NULLS FIRST");
      } else if (direction == "desc_nulls_last") {
        terms.push_back(expr + " DESC NULLS LAST");
      } else {
        terms.push_back(expr + " DESC NULLS FIRST");
      }
    }
  }

  // The JSON object of the selection over the record read as `a`, in selection order.
  std::string record_json(const Collection& c, const std::string& a, const FieldGroup& group) {
    const TypeDef* type = generated_.schema.find_type(c.name);
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const FieldGroup& sub : scope_.collect_sub(*type, group)) {
      std::string value = value_expr(c, a, sub);
      pairs.emplace_back(std::string(sub.response_name), std::move(value));
    }
    return object_sql(pairs);
  }

  // A JSON object of (response name, value expression) pairs, in this order.
  std::string object_sql(const std::vector<std::pair<std::string, std::string>>& named) {
    std::vector<std::pair<std::string, std::string>> pairs;
    std::vector<std::string> names;
    for (const auto& [name, value] : named) {
      pairs.emplace_back(param(name), value);
      names.push_back(name);
    }
    return json_.object(pairs, names, *this);
  }

  std::string value_expr(const Collection& c, const std::string& a, const FieldGroup& sub) {
    const std::string_view name = sub.field_name;
    if (name == "__typename") return param(c.name);
    if (name == "id") return col(a, "id");
    if (name == "collectionId") return param(c.id);
    if (name == "collectionName") return param(c.name);
    if (const schema::Field* field = c.field_by_name(name)) return field_expr(c, a, *field, sub);
    if (name.ends_with("_url")) {
      const schema::Field* file = c.field_by_name(name.substr(0, name.size() - 4));
      if (file != nullptr && file->type() == schema::FieldType::kFile) {
        return file_url(c, a, *file, sub);
      }
    }
    if (name.ends_with("_aggregate")) {
      const std::string_view base = name.substr(0, name.size() - 10);
      if (const schema::Field* field = c.field_by_name(base);
          field != nullptr && field->type() == schema::FieldType::kRelation &&
          field->is_multiple()) {
        const Collection* target =
            catalog_.find(field->as<schema::RelationOptions>()->collection_id);
        if (target != nullptr) {
          return list_aggregate(*target, multiple_relation_source(a, *field, *target, sub), sub);
        }
      }
      if (const auto via = base.find("_via_"); via != std::string_view::npos) {
        const Collection* other = catalog_.find(base.substr(0, via));
        const schema::Field* field =
            other != nullptr ? other->field_by_name(base.substr(via + 5)) : nullptr;
        if (field != nullptr) {
          return list_aggregate(*other, back_relation_source(a, *other, *field, sub), sub);
        }
      }
    }
    if (const auto via = name.find("_via_"); via != std::string_view::npos) {
      const Collection* other = catalog_.find(name.substr(0, via));
      const schema::Field* field =
          other != nullptr ? other->field_by_name(name.substr(via + 5)) : nullptr;
      if (field != nullptr) return back_relation(a, *other, *field, sub);
    }
    throw FieldFailure(ErrorCode::kInternal, "Internal error.");
  }

  std::string field_expr(const Collection& c, const std::string& a, const schema::Field& field,
                         const FieldGroup& sub) {
    const std::string column = col(a, field.name);
    const FieldShape shape = field_shape(field);
    switch (shape.kind) {
      case FieldShape::kText:
        if (c.is_auth() && field.name == schema::kFieldEmail && !superuser_) {
          return "CASE WHEN " + email_visible(c, a) + " THEN " + column + " END";
        }
        return column;
      case FieldShape::kNumber:
        return shape.integer ? dialect_.integer_cast(column) : column;
      case FieldShape::kBool:
        return json_.boolean(json_.is_true(column));
      case FieldShape::kJson:
        return json_.parse(column);
      case FieldShape::kGeoPoint:
        return geo_point(column, sub);
      case FieldShape::kMultiText:
        return json_.parse_array(column);
      case FieldShape::kFile:
        return field.is_multiple() ? json_.parse_array(column) : column;
      case FieldShape::kRelation:
        return relation(a, field, sub);
    }
    return column;
  }

  // records::Visibility in SQL: emailVisibility on, the caller's own record, or (for auth
  // records that may sign in) a record the caller manages by the manageRule.
  std::string email_visible(const Collection& c, const std::string& a) {
    std::string out = "(" + json_.is_true(col(a, schema::kFieldEmailVisibility));
    const records::Caller& caller = access_.caller();
    if (!caller.is_guest() && caller.collection->id == c.id) {
      out += " OR " + col(a, "id") + " = " + param(std::string(caller.id()));
    }
    const auto& manage = c.auth.manage_rule;
    if (!caller.is_guest() && manage && !manage->empty()) {
      out += " OR " + visible_condition(a, {access_.rule(c, *manage)}, nullptr);
    }
    return out + ")";
  }

  std::string geo_point(const std::string& column, const FieldGroup& group) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const FieldGroup& sub :
         scope_.collect_sub(*generated_.schema.find_type("GeoPoint"), group)) {
      std::string value = sub.field_name == "__typename"
                              ? param(std::string("GeoPoint"))
                              : json_.number_member(column, sub.field_name, *this);
      pairs.emplace_back(std::string(sub.response_name), std::move(value));
    }
    return "CASE WHEN " + column + " IS NULL THEN NULL ELSE " + object_sql(pairs) + " END";
  }

  std::string file_url(const Collection& c, const std::string& a, const schema::Field& file,
                       const FieldGroup& sub) {
    const json::object args = arguments(sub);
    std::string suffix;
    if (const json::value* thumb = args.if_contains("thumb"); thumb && thumb->is_string()) {
      if (!thumb->get_string().empty()) suffix = "?thumb=" + url_encode(thumb->get_string());
    }
    const std::string prefix = "/api/files/" + c.id + "/";
    const std::string column = col(a, file.name);
    if (file.is_multiple()) {
      const std::string je = alias();
      const std::string url = param(prefix) + " || " + col(a, "id") + " || '/' || " + je + "." +
                              std::string(json_.each_value()) + " || " + param(suffix);
      return "(SELECT " + json_.array_of_values(url) + " FROM " + json_.each(column) + " AS " + je +
             ")";
    }
    return "CASE WHEN " + column + " IS NULL OR " + column + " = '' THEN NULL ELSE " +
           param(prefix) + " || " + col(a, "id") + " || '/' || " + column + " || " + param(suffix) +
           " END";
  }

  // A relation field: the related record (single) or records (multiple) the caller may view.
  std::string relation(const std::string& a, const schema::Field& field, const FieldGroup& sub) {
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
  std::optional<std::string> relation_id_only(const std::string& a, const schema::Field& field,
                                              const Collection& target, const FieldGroup& sub) {
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

  // The records of a list field below a record: which table, under which alias, and the rest
  // of the SELECT after its columns (FROM … WHERE … ORDER BY … LIMIT … OFFSET …).
  struct ListSource {
    std::string alias;
    std::string from;  // FROM … WHERE …
    std::string tail;  // ORDER BY … LIMIT … OFFSET …
  };

  // A multiple relation's records the caller may view, in the order the field lists them
  // unless order_by says otherwise.
  ListSource multiple_relation_source(const std::string& a, const schema::Field& field,
                                      const Collection& target, const FieldGroup& sub) {
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
  ListSource back_relation_source(const std::string& a, const Collection& other,
                                  const schema::Field& field, const FieldGroup& sub) {
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

  std::string back_relation(const std::string& a, const Collection& other,
                            const schema::Field& field, const FieldGroup& sub) {
    const Deeper deeper(*this);
    if (single_back_relation(other, field)) {
      // A uniquely indexed relation: the one record that names this one, if the caller may
      // view it.
      const std::string b = alias();
      const std::string visible = visible_condition(b, rule_plans(other, other.view_rule), nullptr);
      std::string sql = "(SELECT " + record_json(other, b, sub) + " FROM " + q(other.name) +
                        " AS " + b + " WHERE " + col(b, field.name) + " = " + col(a, "id");
      if (!visible.empty()) sql += " AND " + visible;
      return json_.parse(sql + " LIMIT 1)");
    }
    const ListSource source = back_relation_source(a, other, field, sub);
    return list_sql(inside_list([&] { return record_json(other, source.alias, sub); }),
                    source.from + source.tail);
  }

  // `<list>_aggregate` of a multiple relation or back-relation.
  std::string list_aggregate(const Collection& target, const ListSource& source,
                             const FieldGroup& sub) {
    const Deeper deeper(*this);
    const Pages pages =
        pages_of(arguments(sub), "SELECT " + source.alias + ".*" + source.from, source.tail);
    return json_.parse(
        "(SELECT " + inside_list([&] { return aggregate_json(target, source.alias, sub, pages); }) +
        ")");
  }

  // The records an aggregate reads, as `SELECT <alias>.* …` statements: its aggregates cover
  // every record the arguments select when neither `limit` nor `offset` is given (a count
  // counts them all), else the page; its `nodes` are always the page.
  struct Pages {
    std::string all;
    std::string page;
  };

  static Pages pages_of(const json::object& args, const std::string& select_from,
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

  std::string list_sql(const std::string& record, const std::string& from) {
    const std::string item = q("__gq_item");
    // The subquery has an alias: PostgreSQL before 16 requires one (SQLite takes it).
    return "(SELECT " + json_.array_of_rows(item) + " FROM (SELECT " + record + " AS " + item +
           from + ") AS " + q("__gq_items") + ")";
  }

  // `<c>_aggregate` over `pages` (`a` is the alias of their records).
  std::string aggregate_json(const Collection& c, const std::string& a, const FieldGroup& group,
                             const Pages& pages) {
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

  std::string aggregate_fields(const Collection& c, const std::string& a, const FieldGroup& group) {
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

  std::string count_expr(const Collection& c, const std::string& a, const FieldGroup& sub) {
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

}  // namespace

query::PlanPtr compile_where_argument(const records::Access& access, const schema::Collection& c,
                                      const json::object& args) {
  const collections::Catalog& catalog = access.catalog();
  const bool superuser = access.caller().is_superuser();
  const json::value* where = args.if_contains("where");
  if (where == nullptr || !where->is_object()) return nullptr;
  std::optional<query::Ast> ast;
  try {
    ast = where_to_ast(where->get_object(), c, catalog);
  } catch (const std::length_error& e) {
    throw FieldFailure(ErrorCode::kLimitExceeded, e.what());
  } catch (const std::invalid_argument& e) {
    throw FieldFailure(ErrorCode::kValidationFailed, e.what());
  }
  if (!ast) return nullptr;
  query::ResolveContext context{c, catalog.all(), access.caller().collection,
                                query::ResolveMode::kClient, superuser};
  query::PlanPtr plan;
  try {
    plan = query::resolve_filter(*ast, context);
  } catch (const query::ResolveError& e) {
    const bool locked = e.code() == query::ResolveErrorCode::kLockedCollection ||
                        e.code() == query::ResolveErrorCode::kHiddenField ||
                        e.code() == query::ResolveErrorCode::kSuperuserOnly;
    throw FieldFailure(locked ? ErrorCode::kPermissionDenied : ErrorCode::kValidationFailed,
                       std::string("The where argument cannot be used: ") + e.what());
  }
  if (!superuser) {
    const query::Plan* plans[] = {plan.get()};
    const std::uint64_t cost = query::estimate_cost(plans, catalog.all());
    if (cost > query::kMaxClientCost) {
      throw FieldFailure(ErrorCode::kLimitExceeded,
                         "The where argument is too expensive: it walks too many multi-valued "
                         "relations (an estimated " +
                             std::to_string(cost) + " row visits per record; at most " +
                             std::to_string(query::kMaxClientCost) + ").");
    }
  }
  return plan;
}

RootStatement compile_records_by_ids(const GeneratedSchema& generated, const ExecutionScope& scope,
                                     const records::Access& access,
                                     const query::RequestInfo& request, const FieldGroup& group,
                                     const schema::Collection& collection,
                                     std::span<const std::string> ids,
                                     std::int64_t max_list_limit) {
  return Compiler(generated, scope, access, request, max_list_limit).by_ids(collection, group, ids);
}

RootStatement compile_root_field(const GeneratedSchema& generated, const ExecutionScope& scope,
                                 const records::Access& access, const query::RequestInfo& request,
                                 const FieldGroup& group, const RootBinding& binding,
                                 std::int64_t max_list_limit) {
  return Compiler(generated, scope, access, request, max_list_limit).root(group, binding);
}

}  // namespace basalt::graphql
