#include "basalt/query/evaluator.hpp"

#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "basalt/query/sqlite_json.hpp"
#include "basalt/query/sqlite_values.hpp"

namespace basalt::query {
namespace {

using Truth = std::optional<bool>;   // nullopt is SQL NULL
using Real = std::optional<double>;  // nullopt is SQL NULL

bool is_null(const db::Value& v) {
  return std::holds_alternative<std::nullptr_t>(v);
}

// SQLite turns a NaN result into NULL.
Real real_result(double value) {
  if (std::isnan(value)) return std::nullopt;
  return value;
}

// json_valid(x) and the parsed document: numbers are read as their text, NULL is no JSON.
std::optional<SqliteJson> as_json(const db::Value& value) {
  if (is_null(value)) return std::nullopt;
  return SqliteJson::parse(sqlite::to_text(value));
}

// The items json_each yields for `value` as PocketBase's normalized source sees it:
// json_each(CASE WHEN <valid array> THEN x ELSE json_array(x) END).
std::vector<db::Value> normalized_items(const db::Value& value) {
  if (auto json = as_json(value); json && json->is_array()) return json->each();
  // json_array(x): a REAL goes through its JSON text ("%!.15g") and back.
  if (const auto* real = std::get_if<double>(&value)) {
    if (auto json = SqliteJson::parse(sqlite::real_to_text(*real))) return {json->extract({})};
  }
  return {value};
}

class Interpreter {
 public:
  Interpreter(std::span<const db::Value> row) : row_(row) {}

  bool matches(const SqlNode& condition) {
    std::vector<const SqlSource*> sources;
    collect_sources(condition, sources);
    std::vector<std::vector<db::Value>> items;
    std::size_t combinations = 1;
    for (const SqlSource* source : sources) {
      items.push_back(source_items(*source));
      combinations *= items.back().size();
      if (combinations > kMaxEvaluationRows) {
        throw EvaluationError("the record's :each values give too many combinations");
      }
    }
    std::vector<std::size_t> position(sources.size(), 0);
    while (true) {
      for (std::size_t i = 0; i < sources.size(); ++i) {
        bind(*sources[i], &items[i][position[i]]);
      }
      if (truth(condition) == true) return true;
      std::size_t k = 0;
      for (; k < sources.size(); ++k) {
        if (++position[k] < items[k].size()) break;
        position[k] = 0;
      }
      if (k == sources.size()) return false;
    }
  }

 private:
  // The json_each joins of the main query a condition reads (subquery internals excluded);
  // two sources with one key are one join, as in the printed SQL.
  void collect_sources(const SqlNode& node, std::vector<const SqlSource*>& out) {
    if (node.op == SqlOp::kEachValue) {
      for (const SqlSource* known : out) {
        if (same_source(*known, *node.source)) return;
      }
      out.push_back(node.source);
      return;
    }
    if (node.a != nullptr) collect_sources(*node.a, out);
    if (node.b != nullptr) collect_sources(*node.b, out);
    for (const SqlNode* arg : node.args()) collect_sources(*arg, out);
  }

  // LEFT JOIN json_each(...): its items, or one NULL row when there are none.
  std::vector<db::Value> source_items(const SqlSource& source) {
    if (source.kind != SourceKind::kJsonEach) {
      throw std::invalid_argument("the evaluator reads no joined tables");
    }
    db::Value array = value(*source.array);
    std::vector<db::Value> items;
    if (source.normalize) {
      items = normalized_items(array);
    } else if (auto json = as_json(array)) {
      items = json->each();
    } else if (!is_null(array)) {
      throw std::invalid_argument("json_each over malformed JSON");
    }
    if (items.empty()) items.emplace_back(nullptr);
    return items;
  }

  static bool same_source(const SqlSource& a, const SqlSource& b) {
    return &a == &b || (!a.key.empty() && a.key == b.key);
  }

  // The current row of a join: main-query joins by key, subquery joins (no key) by identity.
  void bind(const SqlSource& source, const db::Value* item) {
    if (source.key.empty()) {
      current_[&source] = item;
    } else {
      current_by_key_[source.key] = item;
    }
  }

  const db::Value& current(const SqlSource& source) const {
    if (source.key.empty()) {
      auto found = current_.find(&source);
      if (found != current_.end()) return *found->second;
    } else {
      auto found = current_by_key_.find(source.key);
      if (found != current_by_key_.end()) return *found->second;
    }
    throw std::logic_error("json_each value without a row");
  }

  Affinity affinity(const SqlNode& node) const {
    switch (node.op) {
      case SqlOp::kColumn:
      case SqlOp::kEachValue:
        return node.affinity;
      case SqlOp::kMatchValue:
        // A subquery column has its expression's affinity.
        return affinity(*node.match->value);
      default:
        return Affinity::kNone;
    }
  }

  db::Value value(const SqlNode& node) {
    switch (node.op) {
      case SqlOp::kColumn: {
        if (node.source == nullptr || !node.source->record_row || node.field_index < 0) {
          throw std::invalid_argument("the evaluator reads only the record's own columns");
        }
        auto index = static_cast<std::size_t>(node.field_index);
        if (index >= row_.size()) throw std::invalid_argument("row has fewer columns than fields");
        return sqlite::column_value(row_[index], node.affinity);
      }
      case SqlOp::kParam:
        return node.param.to_db();
      case SqlOp::kNull:
        return nullptr;
      case SqlOp::kInteger:
        return node.integer;
      case SqlOp::kEmptyText:
        return std::string();
      case SqlOp::kEachValue:
        return current(*node.source);
      case SqlOp::kMatchValue: {
        auto found = match_rows_.find(node.match);
        if (found == match_rows_.end()) throw std::logic_error("multi-match value outside it");
        return *found->second;
      }
      case SqlOp::kLower:
        return sqlite::lower(value(*node.a));
      case SqlOp::kCoalesceEmpty: {
        db::Value v = value(*node.a);
        return is_null(v) ? db::Value(std::string()) : v;
      }
      case SqlOp::kContains: {
        db::Value v = value(*node.a);
        if (is_null(v)) return nullptr;
        return "%" + sqlite::to_text(v) + "%";
      }
      case SqlOp::kJsonExtract:
        return json_extract(node);
      case SqlOp::kJsonArrayLength:
        return json_array_length(node);
      case SqlOp::kGeoDistance:
        return geo_distance(node);
      case SqlOp::kTruth: {
        Truth t = truth(*node.a);
        if (!t) return nullptr;
        return std::int64_t{*t ? 1 : 0};
      }
      case SqlOp::kStrftime:
      case SqlOp::kAuthId:
      default:
        throw std::invalid_argument("not evaluable in memory");
    }
  }

  db::Value json_extract(const SqlNode& node) {
    db::Value x = value(*node.a);
    if (auto json = as_json(x)) return json->extract(node.path);
    // json_extract(json_object('pb', x), '$.pb<path>'): x itself, or NULL deeper down.
    if (!node.path.empty() || is_null(x)) return nullptr;
    if (const auto* real = std::get_if<double>(&x)) {
      if (auto json = SqliteJson::parse(sqlite::real_to_text(*real))) return json->extract({});
    }
    return x;
  }

  db::Value json_array_length(const SqlNode& node) {
    db::Value x = value(*node.a);
    if (auto json = as_json(x); json && json->is_array()) return json->array_length();
    if (is_null(x)) return std::int64_t{0};
    Truth empty =
        sqlite::compare(CompareOp::kEq, x, affinity(*node.a), std::string(), Affinity::kNone);
    return std::int64_t{empty == true ? 0 : 1};
  }

  // The SqliteFilterDialect formula, operation by operation, NULL and NaN as SQLite has them.
  db::Value geo_distance(const SqlNode& node) {
    auto args = node.args();
    auto radians = [&](const SqlNode* arg) -> Real {
      auto x = sqlite::math_argument(value(*arg));
      if (!x) return std::nullopt;
      return real_result(*x * (std::numbers::pi / 180.0));
    };
    auto apply = [](double (*f)(double), Real x) -> Real {
      if (!x) return std::nullopt;
      return real_result(f(*x));
    };
    auto mul = [](Real a, Real b) -> Real {
      if (!a || !b) return std::nullopt;
      return real_result(*a * *b);
    };
    auto add = [](Real a, Real b) -> Real {
      if (!a || !b) return std::nullopt;
      return real_result(*a + *b);
    };
    auto sub = [](Real a, Real b) -> Real {
      if (!a || !b) return std::nullopt;
      return real_result(*a - *b);
    };
    Real lon_a = radians(args[0]);
    Real lat_a = radians(args[1]);
    Real lon_b = radians(args[2]);
    Real lat_b = radians(args[3]);
    Real product = mul(mul(apply(std::cos, lat_a), apply(std::cos, lat_b)),
                       apply(std::cos, sub(lon_b, lon_a)));
    Real sum = add(product, mul(apply(std::sin, lat_a), apply(std::sin, lat_b)));
    Real result = mul(Real(6371.0), apply(std::acos, sum));
    if (!result) return nullptr;
    return *result;
  }

  Truth truth(const SqlNode& node) {
    switch (node.op) {
      case SqlOp::kCompare: {
        db::Value a = value(*node.a);
        db::Value b = value(*node.b);
        if (node.compare == CompareOp::kLike || node.compare == CompareOp::kNotLike) {
          Truth t = sqlite::like(a, b);
          if (t && node.compare == CompareOp::kNotLike) return !*t;
          return t;
        }
        return sqlite::compare(node.compare, std::move(a), affinity(*node.a), std::move(b),
                               affinity(*node.b));
      }
      case SqlOp::kIsNull:
        return is_null(value(*node.a));
      case SqlOp::kIsNotNull:
        return !is_null(value(*node.a));
      case SqlOp::kAnd: {
        Truth result = true;
        for (const SqlNode* child : node.args()) {
          Truth t = truth(*child);
          if (t == false) return false;
          if (!t) result = std::nullopt;
        }
        return result;
      }
      case SqlOp::kOr: {
        Truth result = false;
        for (const SqlNode* child : node.args()) {
          Truth t = truth(*child);
          if (t == true) return true;
          if (!t) result = std::nullopt;
        }
        return result;
      }
      case SqlOp::kNot: {
        Truth t = truth(*node.a);
        if (!t) return std::nullopt;
        return !*t;
      }
      case SqlOp::kNotExists:
        // Row conditions come with joins (list rules, emailVisibility of a related record),
        // which make a plan not evaluable.
        if (node.b != nullptr || node.arg_count > 0) {
          throw std::invalid_argument("not evaluable in memory");
        }
        return !any_failing(node);
      default:
        throw std::invalid_argument("not evaluable in memory");
    }
  }

  // EXISTS (SELECT 1 FROM (match) LEFT JOIN (match2) WHERE <node.a>).
  bool any_failing(const SqlNode& node) {
    std::vector<db::Value> left = match_values(*node.match);
    std::vector<db::Value> right;
    if (node.match2 != nullptr) {
      right = match_values(*node.match2);
      if (right.empty()) right.emplace_back(nullptr);  // LEFT JOIN of an empty subquery
    }
    for (const db::Value& l : left) {
      match_rows_[node.match] = &l;
      if (node.match2 == nullptr) {
        if (truth(*node.a) == true) return true;
        continue;
      }
      for (const db::Value& r : right) {
        match_rows_[node.match2] = &r;
        if (truth(*node.a) == true) return true;
      }
    }
    return false;
  }

  // The multiMatchValue rows of a subquery for this record: its LEFT JOINs, multiplied.
  std::vector<db::Value> match_values(const MultiMatch& match) {
    if (!match.from->record_row) throw std::invalid_argument("the evaluator reads no joins");
    std::vector<db::Value> out;
    add_match_rows(match, 0, out);
    return out;
  }

  void add_match_rows(const MultiMatch& match, std::size_t depth, std::vector<db::Value>& out) {
    auto joins = match.joins();
    if (depth == joins.size()) {
      out.push_back(value(*match.value));
      if (out.size() > kMaxEvaluationRows) {
        throw EvaluationError("the record's :each values give too many combinations");
      }
      return;
    }
    // A later join may read an earlier one's current item.
    std::vector<db::Value> items = source_items(*joins[depth]);
    for (const db::Value& item : items) {
      bind(*joins[depth], &item);
      add_match_rows(match, depth + 1, out);
    }
  }

  std::span<const db::Value> row_;
  std::unordered_map<const SqlSource*, const db::Value*> current_;
  std::unordered_map<std::string_view, const db::Value*> current_by_key_;
  std::unordered_map<const MultiMatch*, const db::Value*> match_rows_;
};

}  // namespace

bool evaluate(const Plan& plan, std::span<const db::Value> row, const RequestInfo& request,
              Clock::time_point now) {
  if (!plan.evaluable()) throw std::invalid_argument("the plan needs the database");
  Arena arena(2048);
  Lowering lowering(arena, request, now);
  const SqlNode* condition = lowering.filter(plan);
  Interpreter interpreter(row);
  return interpreter.matches(*condition);
}

}  // namespace basalt::query
