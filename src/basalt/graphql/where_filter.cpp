#include "basalt/graphql/where_filter.hpp"

#include "basalt/graphql/record_fields.hpp"

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace basalt::graphql {
namespace {

namespace json = boost::json;
using query::Comparison;
using query::Expr;
using query::Operand;
using query::Operator;

// The complement of a plain operator (NULL and "" read alike in the filter language).
Operator complement(Operator op) {
  switch (op) {
    case Operator::kEq:
      return Operator::kNeq;
    case Operator::kNeq:
      return Operator::kEq;
    case Operator::kGt:
      return Operator::kLte;
    case Operator::kGte:
      return Operator::kLt;
    case Operator::kLt:
      return Operator::kGte;
    case Operator::kLte:
      return Operator::kGt;
    case Operator::kLike:
      return Operator::kNotLike;
    case Operator::kNotLike:
      return Operator::kLike;
    default:
      return op;
  }
}

// `_path` of a JSON comparison: REST's `data.a.b` after the field — segments of letters,
// digits and `_` (a REST filter identifier's characters; a number indexes an array) joined by
// dots.
std::vector<std::string_view> json_path_segments(std::string_view text) {
  if (text.empty() || text.size() > kMaxJsonPathBytes) {
    throw std::invalid_argument("_path must be 1 to " + std::to_string(kMaxJsonPathBytes) +
                                " characters.");
  }
  std::vector<std::string_view> segments;
  while (true) {
    const std::size_t dot = text.find('.');
    const std::string_view segment = text.substr(0, dot);
    const bool word = !segment.empty() && std::all_of(segment.begin(), segment.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    });
    if (!word) {
      throw std::invalid_argument(
          "_path must be keys or indexes of letters, digits and _ joined by dots (as after a "
          "json field in a REST filter), e.g. \"a.b.0\".");
    }
    segments.push_back(segment);
    if (dot == std::string_view::npos) return segments;
    text.remove_prefix(dot + 1);
  }
}

Operator any_of(Operator plain) {
  return static_cast<Operator>(static_cast<std::uint8_t>(plain) +
                               static_cast<std::uint8_t>(Operator::kAnyEq));
}

// Where the comparisons of one level read from: the path so far, and whether it crossed a
// multiple relation (then its values are many).
struct Scope {
  const schema::Collection* collection;
  std::vector<std::string_view> path;
  bool many = false;
};

class Builder {
 public:
  explicit Builder(const collections::Catalog& catalog) : catalog_(catalog) {}

  std::optional<Expr> object(const json::object& where, const Scope& scope, bool negate) {
    std::vector<Expr> parts;
    for (const auto& [key, value] : where) {
      if (value.is_null()) continue;
      if (key == "_and" || key == "_or") {
        std::vector<Expr> children;
        for (const json::value& item : value.as_array()) {
          if (auto child = object(item.as_object(), scope, negate))
            children.push_back(*child);
          else
            children.push_back(constant(!negate));
        }
        // An empty _and is true, an empty _or false; negation swaps the connective.
        const bool conjunction = (key == "_and") != negate;
        if (children.empty()) {
          parts.push_back(constant(conjunction));
        } else {
          parts.push_back(combine(std::move(children), conjunction));
        }
      } else if (key == "_not") {
        auto inner = object(value.as_object(), scope, !negate);
        parts.push_back(inner ? *inner : constant(negate));
      } else {
        const schema::Field* field = scope.collection->field_by_name(key);
        if (field != nullptr) {
          if (auto part = field_condition(*field, value.as_object(), scope, negate)) {
            parts.push_back(*part);
          }
          continue;
        }
        const schema::Field* back = nullptr;
        const schema::Collection* source = back_relation_source(*scope.collection, key, back);
        if (source == nullptr)
          throw std::invalid_argument("unknown where field " + std::string(key));
        // `<c>_via_<field>`: the filter path of the same name. Its values are many (the records
        // of `c` that point here), so its comparisons read "at least one of them" (REST's
        // `?=`) - unless a unique index makes it one record at most, which the resolver then
        // joins as a single relation. The resolver applies c's listRule and its field guards.
        Scope inner{source, scope.path, scope.many || !single_back_relation(*source, *back)};
        inner.path.push_back(arena_.copy(std::string_view(key)));
        if (auto part = object(value.as_object(), inner, negate)) parts.push_back(*part);
      }
    }
    if (parts.empty()) return std::nullopt;
    return combine(std::move(parts), !negate);
  }

  std::size_t leaves() const noexcept { return leaves_; }

  // The collection of `<c>_via_<field>` when `key` names a relation field of c that leads to
  // `target` (a collection name may itself hold "_via_": every split is tried).
  const schema::Collection* back_relation_source(const schema::Collection& target,
                                                 std::string_view key,
                                                 const schema::Field*& back) const {
    for (std::size_t at = key.find("_via_"); at != std::string_view::npos;
         at = key.find("_via_", at + 1)) {
      const schema::Collection* source = catalog_.find(std::string(key.substr(0, at)));
      if (source == nullptr) continue;
      const schema::Field* field = source->field_by_name(key.substr(at + 5));
      const auto* relation = field != nullptr ? field->as<schema::RelationOptions>() : nullptr;
      if (relation != nullptr && relation->collection_id == target.id) {
        back = field;
        return source;
      }
    }
    return nullptr;
  }
  query::Arena take_arena() { return std::move(arena_); }

 private:
  std::optional<Expr> field_condition(const schema::Field& field, const json::object& value,
                                      const Scope& scope, bool negate) {
    if (const auto* relation = field.as<schema::RelationOptions>()) {
      const schema::Collection* target = catalog_.find(relation->collection_id);
      if (target == nullptr) throw std::invalid_argument("relation without a target");
      Scope inner{target, scope.path, scope.many || field.is_multiple()};
      inner.path.push_back(arena_.copy(field.name));
      return object(value, inner, negate);
    }
    std::vector<std::string_view> path = scope.path;
    path.push_back(arena_.copy(field.name));
    if (field.type() == schema::FieldType::kGeoPoint) {
      // {lon: {...}, lat: {...}}: the paths `<field>.lon` and `<field>.lat`, as in REST;
      // {_distance: {...}}: REST's geoDistance() from the point to a given one.
      std::vector<Expr> parts;
      for (const auto& [coordinate, comparison] : value) {
        if (comparison.is_null()) continue;
        if (coordinate == "_distance") {
          if (auto part = distance(path, comparison.as_object(), scope, negate)) {
            parts.push_back(*part);
          }
          continue;
        }
        if (coordinate != "lon" && coordinate != "lat") {
          throw std::invalid_argument("unknown geoPoint coordinate " + std::string(coordinate));
        }
        std::vector<std::string_view> inner = path;
        inner.push_back(arena_.copy(std::string_view(coordinate)));
        if (auto part = comparisons(inner, false, false, comparison.as_object(), scope, negate)) {
          parts.push_back(*part);
        }
      }
      if (parts.empty()) return std::nullopt;
      return combine(std::move(parts), !negate);
    }
    const bool json_field = field.type() == schema::FieldType::kJson;
    if (json_field) {
      // `_path`: the comparisons read the value at that path inside the json (REST `data.a.b`).
      if (const json::value* at = value.if_contains("_path"); at != nullptr && !at->is_null()) {
        for (std::string_view segment : json_path_segments(at->as_string())) {
          path.push_back(arena_.copy(segment));
        }
      }
    }
    return comparisons(path, field.is_multiple(), json_field, value, scope, negate);
  }

  // `{_distance: {lon, lat, _lt: 25, …}}` on a geoPoint at `path`: REST's
  // `geoDistance(<path>.lon, <path>.lat, lon, lat) < 25` (kilometres), one comparison per
  // operator; negated, each operator flips to its complement. A point reached through a multiple
  // relation compares as any other value there ("some value", negated "every value").
  std::optional<Expr> distance(const std::vector<std::string_view>& path, const json::object& value,
                               const Scope& scope, bool negate) {
    std::array<Operand, 4> args;
    for (std::size_t i = 0; i < 2; ++i) {
      std::vector<std::string_view> coordinate = path;
      coordinate.push_back(i == 0 ? "lon" : "lat");
      args[i] = identifier(coordinate, query::Modifier::kNone);
    }
    args[2] = number(value.at("lon").to_number<double>());
    args[3] = number(value.at("lat").to_number<double>());
    std::vector<Expr> parts;
    for (const auto& [op, operand] : value) {
      if (op == "lon" || op == "lat" || operand.is_null()) continue;
      const Operator plain_op = scalar_operator(op);
      const Operator chosen = negate ? complement(plain_op) : plain_op;
      query::FunctionCall call;
      call.function = query::Function::kGeoDistance;
      const auto copied = arena_.copy(std::span<const Operand>(args));
      call.arg_data = copied.data();
      call.arg_count = static_cast<std::uint32_t>(copied.size());
      Operand left;
      left.value = call;
      count_leaf();
      const bool any = scope.many && !negate;
      parts.push_back(Expr{{}, Comparison{left, any ? any_of(chosen) : chosen, literal(operand)}});
    }
    if (parts.empty()) return std::nullopt;
    return combine(std::move(parts), !negate);
  }

  // The comparison operators of one value at `path` (array_field: a multi-valued field; json:
  // operands must be primitives, as a REST filter's literals are).
  std::optional<Expr> comparisons(const std::vector<std::string_view>& path, bool array_field,
                                  bool json_field, const json::object& value, const Scope& scope,
                                  bool negate) {
    if (json_field) {
      for (const auto& [op, operand] : value) {
        if (op == "_path") continue;
        const bool primitive = !operand.is_object() && !operand.is_array();
        const bool list = op == "_in" || op == "_nin";
        bool ok = primitive;
        if (list && operand.is_array()) {
          ok = std::all_of(operand.as_array().begin(), operand.as_array().end(),
                           [](const json::value& item) { return !item.is_structured(); });
        }
        if (!ok) {
          throw std::invalid_argument(
              "A json comparison takes a string, a number, a boolean or null (as a REST filter "
              "literal), not an object or a list.");
        }
      }
    }
    std::vector<Expr> parts;
    for (const auto& [op, operand] : value) {
      if (operand.is_null() || (json_field && op == "_path")) continue;
      if (op == "_is_null") {
        const bool is_null = operand.as_bool() != negate;
        if (array_field) {
          parts.push_back(compare(path, query::Modifier::kLength,
                                  is_null ? Operator::kEq : Operator::kGt, number(0), false));
        } else {
          parts.push_back(compare(path, query::Modifier::kNone,
                                  is_null ? Operator::kEq : Operator::kNeq, null(),
                                  scope.many && !negate));
        }
      } else if (op == "_contains") {
        parts.push_back(compare(path, query::Modifier::kEach,
                                negate ? Operator::kNeq : Operator::kEq, literal(operand),
                                !negate));
      } else if (op == "_contains_all") {
        std::vector<Expr> items;
        for (const json::value& item : operand.as_array()) {
          items.push_back(compare(path, query::Modifier::kEach,
                                  negate ? Operator::kNeq : Operator::kEq, literal(item), !negate));
        }
        parts.push_back(items.empty() ? constant(!negate) : combine(std::move(items), !negate));
      } else if (op == "_in" || op == "_nin") {
        // _in: some item equals; _nin: no item equals. Negation turns one into the other.
        const bool in = (op == "_in") != negate;
        std::vector<Expr> items;
        for (const json::value& item : operand.as_array()) {
          // "Some value equals" or "every value differs" on a path with many values.
          items.push_back(compare(path, query::Modifier::kNone, in ? Operator::kEq : Operator::kNeq,
                                  literal(item), scope.many && in));
        }
        parts.push_back(items.empty() ? constant(!in) : combine(std::move(items), !in));
      } else {
        parts.push_back(plain(path, scalar_operator(op), negate, operand, scope));
      }
    }
    if (parts.empty()) return std::nullopt;
    return combine(std::move(parts), !negate);
  }

  static Operator scalar_operator(std::string_view op) {
    if (op == "_eq") return Operator::kEq;
    if (op == "_neq") return Operator::kNeq;
    if (op == "_gt") return Operator::kGt;
    if (op == "_gte") return Operator::kGte;
    if (op == "_lt") return Operator::kLt;
    if (op == "_lte") return Operator::kLte;
    if (op == "_like" || op == "_ilike") return Operator::kLike;
    if (op == "_nlike" || op == "_nilike") return Operator::kNotLike;
    throw std::invalid_argument("unknown comparison operator " + std::string(op));
  }

  // A comparison of the field at `path` with `operand`: the operator, or its complement when
  // negated; on a path with many values "some value" unnegated, "every value" negated.
  Expr plain(const std::vector<std::string_view>& path, Operator op, bool negate,
             const json::value& operand, const Scope& scope) {
    const Operator chosen = negate ? complement(op) : op;
    return compare(path, query::Modifier::kNone, chosen, literal(operand), scope.many && !negate);
  }

  Expr compare(const std::vector<std::string_view>& path, query::Modifier modifier, Operator op,
               Operand right, bool any) {
    const Operand left = identifier(path, modifier);
    count_leaf();
    return Expr{{}, Comparison{left, any ? any_of(op) : op, right}};
  }

  // The field at `path` (its segments copied into the arena).
  Operand identifier(const std::vector<std::string_view>& path, query::Modifier modifier) {
    query::Identifier out;
    out.modifier = modifier;
    const auto copied = arena_.copy(std::span<const std::string_view>(path));
    out.path_data = copied.data();
    out.path_size = static_cast<std::uint32_t>(copied.size());
    Operand operand;
    operand.value = out;
    return operand;
  }

  Operand literal(const json::value& value) {
    Operand out;
    if (value.is_string()) {
      out.value = query::Text{arena_.copy(std::string_view(value.get_string()))};
    } else if (value.is_bool()) {
      out.value = query::Bool{value.get_bool()};
    } else if (value.is_number()) {
      out.value = query::Number{value.to_number<double>()};
    } else {
      out.value = query::Null{};
    }
    return out;
  }
  static Operand number(double value) {
    Operand out;
    out.value = query::Number{value};
    return out;
  }
  static Operand null() {
    Operand out;
    out.value = query::Null{};
    return out;
  }

  // `1 = 1` or `1 = 0`.
  Expr constant(bool value) {
    count_leaf();
    return Expr{{}, Comparison{number(1), Operator::kEq, number(value ? 1 : 0)}};
  }

  Expr combine(std::vector<Expr> parts, bool conjunction) {
    if (parts.size() == 1) return parts.front();
    const auto children = arena_.copy(std::span<const Expr>(parts));
    return Expr{{},
                query::Logical{conjunction ? query::LogicalOp::kAnd : query::LogicalOp::kOr,
                               static_cast<std::uint32_t>(children.size()), children.data()}};
  }

  void count_leaf() {
    if (++leaves_ > kMaxWhereComparisons) {
      throw std::length_error("The where argument has more than " +
                              std::to_string(kMaxWhereComparisons) + " comparisons.");
    }
  }

  const collections::Catalog& catalog_;
  query::Arena arena_;
  std::size_t leaves_ = 0;
};

}  // namespace

std::optional<query::Ast> where_to_ast(const json::object& where,
                                       const schema::Collection& collection,
                                       const collections::Catalog& catalog) {
  Builder builder(catalog);
  std::optional<Expr> root = builder.object(where, Scope{&collection, {}, false}, false);
  if (!root) return std::nullopt;
  const std::size_t leaves = builder.leaves();
  query::Arena arena = builder.take_arena();
  const Expr* stored = arena.make<Expr>(*root);
  return query::Ast(std::move(arena), std::string_view(), stored, leaves);
}

}  // namespace basalt::graphql
