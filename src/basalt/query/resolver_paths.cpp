// Field paths: PocketBase's processActiveProps / finalizeActivePropsProcessing
// (core/record_field_resolver_runner.go), as facts, in Basalt's own shape. Each step joins the
// main query (LEFT JOIN, one row per value) and, in parallel, the operand's multi-match
// subquery (resolver.hpp, "Multi-valued semantics").
#include <charconv>

#include "basalt/query/resolver_internal.hpp"
#include "basalt/schema/index_sql.hpp"

namespace basalt::query::detail {
namespace {

using schema::FieldType;

// `<collection>_via_<field>` as PocketBase's ^(\w+)_via_(\w+)$ splits it: the last "_via_"
// with something on both sides (the first group is greedy).
bool split_via(std::string_view prop, std::string_view& collection, std::string_view& field) {
  constexpr std::string_view kVia = "_via_";
  for (std::size_t pos = prop.rfind(kVia); pos != std::string_view::npos;
       pos = pos == 0 ? std::string_view::npos : prop.rfind(kVia, pos - 1)) {
    if (pos > 0 && pos + kVia.size() < prop.size()) {
      collection = prop.substr(0, pos);
      field = prop.substr(pos + kVia.size());
      return true;
    }
  }
  return false;
}

// strconv.Atoi succeeds: digits only (segments have no sign) that fit an int64.
bool is_index(std::string_view segment) {
  if (segment.empty()) return false;
  for (char c : segment) {
    if (c < '0' || c > '9') return false;
  }
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(segment.data(), segment.data() + segment.size(), value);
  return error == std::errc() && end == segment.data() + segment.size();
}

}  // namespace

Walk Resolver::start_walk(bool nullify_missing) {
  Walk walk;
  walk.collection = scope_.collection;
  walk.source = scope_.base;
  walk.alias = scope_.alias;
  walk.key = scope_.key;
  walk.nullify_missing = nullify_missing;
  walk.mm_alias = "__mm_" + scope_.alias;
  SqlSource* mm_from =
      nodes_.table(scope_.collection->name, walk.mm_alias, {}, nullptr, scope_.base->record_row);
  mm_from->id_is_key = !scope_.collection->is_view();
  walk.mm_from = mm_from;
  walk.mm_source = walk.mm_from;
  return walk;
}

ResolvedOperand Resolver::path(Walk& walk, std::span<const std::string_view> path,
                               Modifier modifier, SourceRange range) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    std::string_view prop = path[i];
    if (i + 1 == path.size()) return finalize(walk, prop, modifier, range);

    const schema::Field* field = walk.collection->field_by_name(prop);
    if (field != nullptr) check_hidden(*field, range);
    if (field != nullptr &&
        (field->type() == FieldType::kJson || field->type() == FieldType::kGeoPoint)) {
      return json_path(walk, *field, path.subspan(i + 1), modifier, range);
    }
    if (i >= kMaxRelationDepth) {
      fail(ResolveErrorCode::kTooManyRelations, range,
           "max nested relations reached for field " + quoted(prop) + " (at most " +
               std::to_string(kMaxRelationDepth) + ")");
    }
    if (field == nullptr) {
      if (!back_relation(walk, prop, range)) return null_operand();
      continue;
    }
    if (field->type() != FieldType::kRelation) {
      fail(ResolveErrorCode::kNotARelation, range,
           "field " + quoted(prop) + " is not a relation, json or geoPoint field");
    }
    const auto& options = *field->as<schema::RelationOptions>();
    const schema::Collection* target = find_collection(options.collection_id);
    if (target == nullptr) {
      fail(ResolveErrorCode::kUnknownCollection, range,
           "the collection of relation field " + quoted(prop) + " does not exist");
    }
    // `rel.id` of a single relation is the relation column itself: no join.
    if (!field->is_multiple() && i + 2 == path.size() && path[i + 1] == schema::kFieldId &&
        modifier == Modifier::kNone) {
      return finalize(walk, field->name, Modifier::kNone, range);
    }
    forward_relation(walk, *field, *target, range);
  }
  fail(ResolveErrorCode::kUnknownField, range, "empty field path");
}

ResolvedOperand Resolver::finalize(Walk& walk, std::string_view name, Modifier modifier,
                                   SourceRange range) {
  const schema::Field* field = walk.collection->field_by_name(name);
  if (field == nullptr) {
    if (walk.nullify_missing) return null_operand();
    fail(ResolveErrorCode::kUnknownField, range, "unknown field " + quoted(name));
  }
  check_hidden(*field, range);
  const schema::Collection& collection = *walk.collection;

  ResolvedOperand result;
  const SqlNode* mm_value = nullptr;
  switch (modifier) {
    case Modifier::kLength:
      if (!is_multi_valuer(*field)) {
        fail(ResolveErrorCode::kInvalidModifier, range,
             ":length needs a select, file or relation field; " + quoted(name) + " is a " +
                 std::string(field->type_name()) + " field");
      }
      result.expr = nodes_.unary(SqlOp::kJsonArrayLength, column(walk.source, collection, *field));
      if (walk.multi) {
        mm_value =
            nodes_.unary(SqlOp::kJsonArrayLength, column(walk.mm_source, collection, *field));
      }
      return finish_operand(walk, result, mm_value);
    case Modifier::kEach: {
      if (!is_multi_valuer(*field)) {
        fail(ResolveErrorCode::kInvalidModifier, range,
             ":each needs a select, file or relation field; " + quoted(name) + " is a " +
                 std::string(field->type_name()) + " field");
      }
      const SqlSource* each = nodes_.json_each(column(walk.source, collection, *field), true,
                                               "__je_" + walk.alias + "_" + field->name,
                                               walk.key + "." + field->name + ":each");
      result.expr = nodes_.each_value(each);
      if (field->is_multiple()) walk.multi = true;
      if (walk.multi) {
        const SqlSource* mm_each =
            nodes_.json_each(column(walk.mm_source, collection, *field), true,
                             "__je_" + walk.mm_alias + "_" + field->name, {});
        walk.mm_joins.push_back(mm_each);
        mm_value = nodes_.each_value(mm_each);
      }
      return finish_operand(walk, result, mm_value);
    }
    case Modifier::kIsset:
    case Modifier::kChanged:
      fail(ResolveErrorCode::kInvalidModifier, range,
           ":" + std::string(to_string(modifier)) +
               " is only for @request values (:changed only for @request.body fields), not for "
               "field " +
               quoted(name));
    case Modifier::kNone:
    case Modifier::kLower:
      break;
  }

  result.expr = column(walk.source, collection, *field);
  if (walk.multi) mm_value = column(walk.mm_source, collection, *field);
  // Guests and users find auth records by email only where the owner made it visible; in an
  // all-of subquery a hidden email is a row that does not count.
  const SqlNode* mm_where = nullptr;
  if (field->name == schema::kFieldEmail && !scope_.allow_hidden && collection.is_auth()) {
    result.also = nodes_.compare(CompareOp::kEq,
                                 column(walk.source, collection, schema::kFieldEmailVisibility),
                                 nodes_.integer(1));
    if (walk.multi) {
      mm_where = nodes_.compare(CompareOp::kEq,
                                column(walk.mm_source, collection, schema::kFieldEmailVisibility),
                                nodes_.integer(1));
    }
  }
  // A json column is compared through json_extract so that a stored top-level primitive
  // compares as that primitive (PocketBase issue 4068).
  if (field->type() == FieldType::kJson) {
    result.null_fallback = NullFallback::kDisabled;
    result.expr = nodes_.json_extract(result.expr, {});
    if (mm_value != nullptr) mm_value = nodes_.json_extract(mm_value, {});
  }
  if (modifier == Modifier::kLower) {
    result.expr = nodes_.unary(SqlOp::kLower, result.expr);
    if (mm_value != nullptr) mm_value = nodes_.unary(SqlOp::kLower, mm_value);
  }
  return finish_operand(walk, result, mm_value, mm_where);
}

ResolvedOperand Resolver::json_path(Walk& walk, const schema::Field& field,
                                    std::span<const std::string_view> rest, Modifier modifier,
                                    SourceRange range) {
  if (modifier != Modifier::kNone && modifier != Modifier::kLower) {
    fail(ResolveErrorCode::kInvalidModifier, range,
         ":" + std::string(to_string(modifier)) + " does not apply to a JSON path of " +
             quoted(field.name) + " (only :lower does)");
  }
  std::vector<JsonPathStep> steps;
  steps.reserve(rest.size());
  for (std::string_view segment : rest) steps.push_back({nodes_.copy(segment), is_index(segment)});

  ResolvedOperand result;
  result.null_fallback = NullFallback::kDisabled;
  result.expr = nodes_.json_extract(column(walk.source, *walk.collection, field), steps);
  const SqlNode* mm_value = nullptr;
  if (walk.multi) {
    mm_value = nodes_.json_extract(column(walk.mm_source, *walk.collection, field), steps);
  }
  if (modifier == Modifier::kLower) {
    result.expr = nodes_.unary(SqlOp::kLower, result.expr);
    if (mm_value != nullptr) mm_value = nodes_.unary(SqlOp::kLower, mm_value);
  }
  return finish_operand(walk, result, mm_value);
}

void Resolver::forward_relation(Walk& walk, const schema::Field& field,
                                const schema::Collection& target, SourceRange range) {
  const schema::Collection& from = *walk.collection;
  std::string alias = walk.alias + "_" + field.name;
  std::string key = walk.key + "." + field.name;
  const SqlNode* value = column(walk.source, from, field);
  SqlSource* join = nullptr;
  if (!field.is_multiple()) {
    join = table_join(target, alias, key, range);
    join->on = nodes_.compare(CompareOp::kEq, column(join, target, schema::kFieldId), value);
  } else {
    const SqlSource* each = nodes_.json_each(value, true, "__je_" + alias, key + "@je");
    join = table_join(target, alias, key, range);
    join->on = nodes_.compare(CompareOp::kEq, column(join, target, schema::kFieldId),
                              nodes_.each_value(each));
    walk.multi = true;
  }

  std::string mm_alias = walk.mm_alias + "_" + field.name;
  const SqlNode* mm_value = column(walk.mm_source, from, field);
  SqlSource* mm_join = nodes_.table(target.name, mm_alias, {}, nullptr);
  if (!field.is_multiple()) {
    mm_join->on =
        nodes_.compare(CompareOp::kEq, column(mm_join, target, schema::kFieldId), mm_value);
  } else {
    const SqlSource* mm_each = nodes_.json_each(mm_value, true, mm_alias + "_je", {});
    walk.mm_joins.push_back(mm_each);
    mm_join->on = nodes_.compare(CompareOp::kEq, column(mm_join, target, schema::kFieldId),
                                 nodes_.each_value(mm_each));
  }
  walk.mm_joins.push_back(mm_join);
  guard_match_join(walk, target, mm_join, range);

  walk.collection = &target;
  walk.source = join;
  walk.alias = std::move(alias);
  walk.key = std::move(key);
  walk.mm_source = mm_join;
  walk.mm_alias = std::move(mm_alias);
}

bool Resolver::back_relation(Walk& walk, std::string_view prop, SourceRange range) {
  std::string_view collection_name;
  std::string_view field_name;
  if (!split_via(prop, collection_name, field_name)) {
    if (walk.nullify_missing) return false;
    fail(ResolveErrorCode::kUnknownField, range, "unknown field " + quoted(prop));
  }
  const schema::Collection* back = find_collection(collection_name);
  if (back == nullptr) {
    if (walk.nullify_missing) return false;
    fail(ResolveErrorCode::kUnknownCollection, range,
         "unknown collection " + quoted(collection_name) + " of back-relation " + quoted(prop));
  }
  const schema::Field* back_field = back->field_by_name(field_name);
  if (back_field == nullptr || back_field->type() != FieldType::kRelation) {
    if (walk.nullify_missing) return false;
    fail(ResolveErrorCode::kInvalidBackRelation, range,
         quoted(field_name) + " is no relation field of " + quoted(back->name) +
             " (back-relation " + quoted(prop) + ")");
  }
  check_hidden(*back_field, range);
  if (back_field->as<schema::RelationOptions>()->collection_id != walk.collection->id) {
    if (walk.nullify_missing) return false;
    fail(ResolveErrorCode::kInvalidBackRelation, range,
         "relation field " + quoted(field_name) + " of " + quoted(back->name) +
             " does not point to " + quoted(walk.collection->name));
  }

  const schema::Collection& from = *walk.collection;
  bool multiple = back_field->is_multiple();
  std::string alias = walk.alias + "_" + std::string(prop);
  std::string key = walk.key + "." + std::string(prop);
  SqlSource* join = table_join(*back, alias, key, range);
  const SqlNode* back_column = column(join, *back, *back_field);
  join->on = multiple
                 ? nodes_.in_json_each(column(walk.source, from, schema::kFieldId), back_column)
                 : nodes_.compare(CompareOp::kEq, back_column,
                                  column(walk.source, from, schema::kFieldId));
  if (multiple) {
    walk.multi = true;
  } else if (!walk.multi) {
    // A back-relation through a uniquely indexed field yields one record at most.
    walk.multi = !schema::find_single_column_unique_index(back->indexes, back_field->name);
  }

  std::string mm_alias = walk.mm_alias + "_" + std::string(prop);
  SqlSource* mm_join = nodes_.table(back->name, mm_alias, {}, nullptr);
  const SqlNode* mm_back_column = column(mm_join, *back, *back_field);
  mm_join->on =
      multiple ? nodes_.in_json_each(column(walk.mm_source, from, schema::kFieldId), mm_back_column)
               : nodes_.compare(CompareOp::kEq, mm_back_column,
                                column(walk.mm_source, from, schema::kFieldId));
  walk.mm_joins.push_back(mm_join);
  guard_match_join(walk, *back, mm_join, range);

  walk.collection = back;
  walk.source = join;
  walk.alias = std::move(alias);
  walk.key = std::move(key);
  walk.mm_source = mm_join;
  walk.mm_alias = std::move(mm_alias);
  return true;
}

SqlSource* Resolver::table_join(const schema::Collection& target, std::string_view alias,
                                std::string_view key, SourceRange range) {
  evaluable_ = false;
  SqlSource* join = nodes_.table(target.name, alias, key, nullptr);
  if (scope_.check_list_rules) require_list_access(target, join, range);
  return join;
}

ResolvedOperand Resolver::finish_operand(Walk& walk, ResolvedOperand operand,
                                         const SqlNode* mm_value, const SqlNode* mm_where) {
  if (walk.multi && mm_value != nullptr) {
    operand.match = nodes_.multi_match(walk.mm_from, scope_.base, walk.mm_joins, mm_value, mm_where,
                                       walk.mm_rules);
  }
  return operand;
}

}  // namespace basalt::query::detail
