// `@request.*` and `@collection.*` identifiers: PocketBase's runner.run branches for them
// (core/record_field_resolver_runner.go) and resolveStaticRequestField
// (core/record_field_resolver.go), as facts, in Basalt's own shape.
#include "basalt/query/resolver_internal.hpp"

namespace basalt::query::detail {
namespace {

using schema::FieldType;

// @request.auth fields PocketBase reads from the request instead of joining the auth table.
bool is_plain_auth_field(std::string_view name) {
  return name == schema::kFieldId || name == "collectionId" || name == "collectionName" ||
         name == schema::kFieldEmail || name == schema::kFieldEmailVisibility ||
         name == schema::kFieldVerified;
}

}  // namespace

PlanOperand Resolver::static_request(IdentifierRoot root, std::span<const std::string_view> path,
                                     Modifier modifier, SourceRange range) {
  if (modifier != Modifier::kNone && modifier != Modifier::kIsset && modifier != Modifier::kLower) {
    fail(ResolveErrorCode::kInvalidModifier, range,
         ":" + std::string(to_string(modifier)) +
             " does not apply here: a @request value takes :isset or :lower (:each, :length and "
             ":changed only @request.body fields of the collection)");
  }
  PlanOperand out;
  out.kind = PlanOperand::Kind::kRequest;
  out.range = range;
  out.root = root;
  out.modifier = modifier;
  out.path = copy_path(path);
  if (!path.empty()) {
    // A numeric string binds as a number when the last key names a number field
    // (multipart bodies send numbers as text).
    const schema::Field* field = scope_.collection->field_by_name(path.back());
    out.number_cast = field != nullptr && field->type() == FieldType::kNumber;
  }
  return out;
}

PlanOperand Resolver::body(const Identifier& identifier, SourceRange range) {
  auto path = identifier.path();
  const schema::Field* field = scope_.collection->field_by_name(path.front());
  if (field == nullptr) return static_request(identifier.root, path, identifier.modifier, range);
  if (field->type() == FieldType::kRelation && path.size() > 1) {
    return body_relation(*field, identifier, range);
  }
  if (path.size() > 1) return static_request(identifier.root, path, identifier.modifier, range);

  PlanOperand out;
  out.range = range;
  out.field = nodes_.copy(field->name);
  switch (identifier.modifier) {
    case Modifier::kEach:
    case Modifier::kLength:
      if (!is_multi_valuer(*field)) {
        fail(ResolveErrorCode::kInvalidModifier, range,
             ":" + std::string(to_string(identifier.modifier)) +
                 " needs a select, file or relation field; " + quoted(field->name) + " is a " +
                 std::string(field->type_name()) + " field");
      }
      if (identifier.modifier == Modifier::kLength) {
        out.kind = PlanOperand::Kind::kBodyLength;
        return out;
      }
      out.kind = PlanOperand::Kind::kBodyEach;
      out.multiple = field->is_multiple();
      out.target = scope_.base;
      out.table = scope_.base->table;
      return out;
    case Modifier::kLower:
      out.kind = PlanOperand::Kind::kBodyLower;
      return out;
    case Modifier::kChanged:
      return body_changed(*field, range);
    default:
      return static_request(identifier.root, path, identifier.modifier, range);
  }
}

// `@request.body.f:changed` is `@request.body.f:isset = true && @request.body.f != f`.
PlanOperand Resolver::body_changed(const schema::Field& field, SourceRange range) {
  std::string_view name = nodes_.copy(field.name);
  std::string_view path[] = {name};

  PlanOperand isset = static_request(IdentifierRoot::kRequestBody, path, Modifier::kIsset, range);
  PlanOperand yes;
  yes.range = range;
  yes.fixed.expr = nodes_.integer(1);
  yes.fixed.constant_identifier = true;
  PlanOperand value = static_request(IdentifierRoot::kRequestBody, path, Modifier::kNone, range);
  PlanOperand stored;
  stored.range = range;
  Walk walk = start_walk(false);
  stored.fixed = this->path(walk, path, Modifier::kNone, range);

  PlanExpr children[2];
  children[0] = {PlanExpr::Kind::kComparison,
                 Operator::kEq,
                 range,
                 arena_.make<PlanOperand>(isset),
                 arena_.make<PlanOperand>(yes),
                 {}};
  children[1] = {PlanExpr::Kind::kComparison,
                 Operator::kNeq,
                 range,
                 arena_.make<PlanOperand>(value),
                 arena_.make<PlanOperand>(stored),
                 {}};
  PlanExpr both{PlanExpr::Kind::kAnd,
                Operator::kEq,
                range,
                nullptr,
                nullptr,
                arena_.copy(std::span<const PlanExpr>(children))};

  PlanOperand out;
  out.kind = PlanOperand::Kind::kBodyChanged;
  out.range = range;
  out.field = name;
  out.changed = arena_.make<PlanExpr>(both);
  return out;
}

PlanOperand Resolver::body_relation(const schema::Field& field, const Identifier& identifier,
                                    SourceRange range) {
  const auto& options = *field.as<schema::RelationOptions>();
  const schema::Collection* target = find_collection(options.collection_id);
  if (target == nullptr) {
    fail(ResolveErrorCode::kUnknownCollection, range,
         "the collection of relation field " + quoted(field.name) + " does not exist");
  }
  std::string_view field_name = nodes_.copy(field.name);
  Walk walk = start_walk(true);
  std::string alias = "__data_" + target->name + "_" + field.name;
  SqlSource* join = table_join(*target, alias, scope_.key + "@body." + field.name, range);
  join->on = nodes_.in_body_ids(column(join, *target, schema::kFieldId), field_name);
  if (field.is_multiple()) walk.multi = true;

  walk.mm_alias = "__mm_" + alias;
  SqlSource* mm_join = nodes_.table(target->name, walk.mm_alias, {}, nullptr);
  mm_join->on = nodes_.in_body_ids(column(mm_join, *target, schema::kFieldId), field_name);
  walk.mm_joins.push_back(mm_join);
  guard_match_join(walk, *target, mm_join, range);
  walk.mm_source = mm_join;
  walk.collection = target;
  walk.source = join;
  walk.alias = std::move(alias);
  walk.key = join->key;

  PlanOperand out;
  out.kind = PlanOperand::Kind::kBodyRelation;
  out.range = range;
  out.field = field_name;
  out.fixed = path(walk, identifier.path().subspan(1), identifier.modifier, range);
  return out;
}

PlanOperand Resolver::auth(const Identifier& identifier, SourceRange range) {
  PlanOperand out;
  out.range = range;
  const schema::Collection* target = context_.auth_collection;
  if (target == nullptr) {
    out.fixed = null_operand();
    return out;
  }
  auto path = identifier.path();
  if (path.size() == 1 && identifier.modifier == Modifier::kNone &&
      is_plain_auth_field(path.front())) {
    return static_request(IdentifierRoot::kRequestAuth, path, Modifier::kNone, range);
  }
  Walk walk = start_walk(true);
  std::string alias = "__auth_" + target->name;
  SqlSource* join = table_join(*target, alias, scope_.key + "@auth", range);
  join->on =
      nodes_.compare(CompareOp::kEq, column(join, *target, schema::kFieldId), nodes_.auth_id());
  walk.mm_alias = "__mm_" + alias;
  SqlSource* mm_join = nodes_.table(target->name, walk.mm_alias, {}, nullptr);
  mm_join->on =
      nodes_.compare(CompareOp::kEq, column(mm_join, *target, schema::kFieldId), nodes_.auth_id());
  walk.mm_joins.push_back(mm_join);
  guard_match_join(walk, *target, mm_join, range);
  walk.mm_source = mm_join;
  walk.collection = target;
  walk.source = join;
  walk.alias = std::move(alias);
  walk.key = join->key;
  out.fixed = this->path(walk, path, identifier.modifier, range);
  return out;
}

PlanOperand Resolver::collection(const Identifier& identifier, SourceRange range) {
  const schema::Collection* target = find_collection(identifier.collection);
  if (target == nullptr) {
    fail(ResolveErrorCode::kUnknownCollection, range,
         "unknown collection " + quoted(identifier.collection) + " in @collection");
  }
  Walk walk = start_walk(false);
  walk.multi = true;
  std::string alias = identifier.alias.empty()
                          ? "__collection_" + target->name
                          : "__collection_alias_" + std::string(identifier.alias);
  std::string key = scope_.key + "@collection." + target->id;
  if (!identifier.alias.empty()) key += ":" + std::string(identifier.alias);
  SqlSource* join = table_join(*target, alias, key, range);
  walk.mm_alias = "__mm_" + alias;
  SqlSource* mm_join = nodes_.table(target->name, walk.mm_alias, {}, nullptr);
  walk.mm_joins.push_back(mm_join);
  guard_match_join(walk, *target, mm_join, range);
  walk.mm_source = mm_join;
  walk.collection = target;
  walk.source = join;
  walk.alias = std::move(alias);
  walk.key = std::move(key);

  PlanOperand out;
  out.range = range;
  out.fixed = path(walk, identifier.path(), identifier.modifier, range);
  return out;
}

}  // namespace basalt::query::detail
