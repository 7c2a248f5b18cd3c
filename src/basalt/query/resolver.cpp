#include "basalt/query/resolver.hpp"

#include <functional>
#include <utility>

#include "basalt/query/lowering.hpp"
#include "basalt/query/parse_error.hpp"
#include "basalt/query/parser.hpp"
#include "basalt/query/resolver_internal.hpp"
#include "basalt/schema/field_registry.hpp"
#include "basalt/schema/lookups.hpp"

namespace basalt::query {
namespace detail {
namespace {

using schema::FieldType;

template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

ResolvedOperand param_operand(const SqlNode* expr, bool empty) {
  ResolvedOperand operand;
  operand.expr = expr;
  operand.params = 1;
  operand.empty_param = empty;
  return operand;
}

}  // namespace

[[noreturn]] void fail(ResolveErrorCode code, SourceRange range, std::string message) {
  throw ResolveError(code, range, std::move(message));
}

bool is_multi_valuer(const schema::Field& field) noexcept {
  auto type = field.type();
  return type == FieldType::kSelect || type == FieldType::kFile || type == FieldType::kRelation;
}

Affinity affinity_of(const schema::Field& field) noexcept {
  auto type = field.type();
  return type == FieldType::kNumber || type == FieldType::kBool ? Affinity::kNumeric
                                                                : Affinity::kText;
}

Resolver::Resolver(const ResolveContext& context, Arena& arena)
    : context_(context), arena_(arena), nodes_(arena) {
  const schema::Collection& collection = context.collection;
  base_ = nodes_.table(collection.name, collection.name, {}, nullptr, true);
  bool trusted = context.mode == ResolveMode::kRule || context.superuser;
  // The joins of an untrusted filter or sort carry list-rule guards (JoinRule), so they are
  // keyed apart from a trusted rule's: the rule of the same query never reads a guarded join.
  scope_ = Scope{&collection, base_,    collection.name, trusted ? "" : "client",
                 trusted,     !trusted, !trusted};
}

const PlanExpr* Resolver::expr(const Expr& expr) {
  PlanExpr out;
  out.range = expr.range;
  if (const auto* comparison = std::get_if<Comparison>(&expr.node)) {
    out.kind = PlanExpr::Kind::kComparison;
    out.op = comparison->op;
    out.left = arena_.make<PlanOperand>(operand(comparison->left));
    out.right = arena_.make<PlanOperand>(operand(comparison->right));
    return arena_.make<PlanExpr>(out);
  }
  const auto& logical = std::get<Logical>(expr.node);
  out.kind = logical.op == LogicalOp::kAnd ? PlanExpr::Kind::kAnd : PlanExpr::Kind::kOr;
  std::vector<PlanExpr> children;
  children.reserve(logical.children().size());
  for (const Expr& child : logical.children()) children.push_back(*this->expr(child));
  out.children = arena_.copy(std::span<const PlanExpr>(children));
  return arena_.make<PlanExpr>(out);
}

PlanOperand Resolver::operand(const Operand& operand) {
  PlanOperand out;
  std::visit(
      Overloaded{
          [&](const Identifier& identifier) { out = this->identifier(identifier, operand.range); },
          [&](const Text& text) {
            out.fixed = param_operand(nodes_.text_param(text.value), text.value.empty());
          },
          [&](const Number& number) {
            ParamValue value;
            value.kind = ParamValue::Kind::kReal;
            value.real = number.value;
            out.fixed = param_operand(nodes_.param(value), false);
          },
          [&](const Null&) { out.fixed = null_operand(); },
          [&](const Bool& flag) {
            out.fixed.expr = nodes_.integer(flag.value ? 1 : 0);
            out.fixed.constant_identifier = true;
          },
          [&](const Macro& macro) {
            out.kind = PlanOperand::Kind::kMacro;
            out.macro = macro;
          },
          [&](const FunctionCall& call) { out = this->call(call, operand.range); },
      },
      operand.value);
  out.range = operand.range;
  return out;
}

PlanOperand Resolver::call(const FunctionCall& call, SourceRange range) {
  if (call.function == Function::kStrftime) evaluable_ = false;
  std::vector<PlanOperand> args;
  args.reserve(call.args().size());
  bool fixed = true;
  for (const Operand& arg : call.args()) {
    args.push_back(operand(arg));
    fixed = fixed && args.back().kind == PlanOperand::Kind::kFixed;
  }
  PlanOperand out;
  out.range = range;
  if (fixed) {
    std::vector<ResolvedOperand> resolved;
    resolved.reserve(args.size());
    for (const auto& arg : args) resolved.push_back(arg.fixed);
    out.fixed = call_operand(nodes_, call.function, resolved);
    return out;
  }
  out.kind = PlanOperand::Kind::kCall;
  out.function = call.function;
  out.args = arena_.copy(std::span<const PlanOperand>(args));
  return out;
}

PlanOperand Resolver::identifier(const Identifier& identifier, SourceRange range) {
  if (identifier.root != IdentifierRoot::kField && scope_.refuse_request) {
    fail(ResolveErrorCode::kSuperuserOnly, range,
         identifier.root == IdentifierRoot::kCollection
             ? "Only superusers can filter by @collection."
             : "Only superusers can filter by @request.");
  }
  PlanOperand out;
  out.range = range;
  switch (identifier.root) {
    case IdentifierRoot::kField: {
      Walk walk = start_walk(false);
      out.fixed = path(walk, identifier.path(), identifier.modifier, range);
      return out;
    }
    case IdentifierRoot::kCollection:
      return collection(identifier, range);
    case IdentifierRoot::kRequestAuth:
      return auth(identifier, range);
    case IdentifierRoot::kRequestBody:
      return body(identifier, range);
    default:
      return static_request(identifier.root, identifier.path(), identifier.modifier, range);
  }
}

// docs/security.md, "Access control" (PocketBase registerJoin / updateQueryWithCollectionListRule),
// made stricter: the rule guards the join itself (its ON clause) instead of the whole row, so a
// related record the caller cannot list reads as absent, never as "this record has one".
void Resolver::require_list_access(const schema::Collection& target, const SqlSource* join,
                                   SourceRange range) {
  refuse_locked(target, range);
  if (target.list_rule->empty()) return;
  for (const auto& check : list_rules_) {
    if (check.join->key == join->key) return;
  }
  JoinRule rule = list_rule_of(target, range);
  rule.join = join;
  list_rules_.push_back(rule);
}

void Resolver::guard_match_join(Walk& walk, const schema::Collection& target,
                                const SqlSource* mm_join, SourceRange range) {
  if (!scope_.check_list_rules) return;
  refuse_locked(target, range);
  if (target.list_rule->empty()) return;
  JoinRule rule = list_rule_of(target, range);
  rule.join = mm_join;
  walk.mm_rules.push_back(rule);
}

JoinRule Resolver::list_rule_of(const schema::Collection& target, SourceRange range) {
  auto found = rule_sets_.find(target.id);
  if (found != rule_sets_.end()) return found->second;
  // One resolution per collection: it is printed as a subquery of its own (kRuleHolds), with
  // fresh aliases, wherever it is used.
  const std::string key = "__rule#" + target.id;
  SqlSource* base = nodes_.table(target.name, "__rule_" + target.name, key, nullptr);
  JoinRule rule{nullptr, base, nullptr};
  resolve_list_rule(target, base, key, range,
                    [&](const Ast& ast) { rule.rule = expr(ast.root()); });
  return rule_sets_.emplace(target.id, rule).first->second;
}

void Resolver::refuse_locked(const schema::Collection& target, SourceRange range) const {
  if (!target.list_rule) {
    fail(ResolveErrorCode::kLockedCollection, range,
         quoted(target.name) + " fields can be accessed only by superusers");
  }
}

void Resolver::resolve_list_rule(const schema::Collection& target, const SqlSource* base,
                                 std::string key, SourceRange range,
                                 const std::function<void(const Ast&)>& resolve) {
  try {
    Ast rule = parse_filter(*target.list_rule, ParseLimits::stored_rule());
    // A list rule is trusted (hidden fields, @request, @collection) and checks no list rules of
    // its own joins, as PocketBase's.
    ScopeGuard guard(
        *this, Scope{&target, base, std::string(base->alias), std::move(key), true, false, false});
    resolve(rule);
  } catch (const ParseError& error) {
    fail(ResolveErrorCode::kInvalidListRule, range,
         "the listRule of " + quoted(target.name) + " does not parse: " + error.what());
  } catch (const ResolveError& error) {
    fail(ResolveErrorCode::kInvalidListRule, range,
         "the listRule of " + quoted(target.name) + " does not resolve: " + error.what());
  }
}

PlanPtr Resolver::finish(Arena&& arena, const PlanExpr* filter, std::span<const SortTerm> sort) {
  Plan::Parts parts;
  parts.base = base_;
  parts.filter = filter;
  parts.sort = arena_.copy(sort);
  parts.list_rules = arena_.copy(std::span<const JoinRule>(list_rules_));
  parts.evaluable = evaluable_ && list_rules_.empty() && filter != nullptr;
  return std::make_shared<const Plan>(std::move(arena), parts);
}

const schema::Collection* Resolver::find_collection(std::string_view id_or_name) const {
  const schema::Collection& own = context_.collection;
  if (id_or_name == own.id || id_or_name == own.name) return &own;
  schema::CollectionLookup lookup;
  lookup.collections = context_.collections;
  return lookup.find(id_or_name);
}

const SqlNode* Resolver::column(const SqlSource* source, const schema::Collection& collection,
                                const schema::Field& field) {
  int index = -1;
  if (source->record_row) index = static_cast<int>(&field - collection.fields.data());
  const schema::ColumnKind kind = schema::column_for(field).kind;
  const bool plain_text = kind == schema::ColumnKind::kText;
  const PlainNumber number = kind == schema::ColumnKind::kReal      ? PlainNumber::kReal
                             : kind == schema::ColumnKind::kInteger ? PlainNumber::kInteger
                             : kind == schema::ColumnKind::kBool    ? PlainNumber::kBool
                                                                    : PlainNumber::kNone;
  return nodes_.column(source, nodes_.copy(field.name), affinity_of(field), index, plain_text,
                       number);
}

const SqlNode* Resolver::column(const SqlSource* source, const schema::Collection& collection,
                                std::string_view name) {
  const schema::Field* field = collection.field_by_name(name);
  if (field != nullptr) return column(source, collection, *field);
  return nodes_.column(source, nodes_.copy(name), Affinity::kText, -1, name == schema::kFieldId);
}

ResolvedOperand Resolver::null_operand() {
  ResolvedOperand operand;
  operand.expr = nodes_.null();
  operand.empty_identifier = true;
  return operand;
}

std::span<const std::string_view> Resolver::copy_path(std::span<const std::string_view> path) {
  std::vector<std::string_view> copies;
  copies.reserve(path.size());
  for (std::string_view segment : path) copies.push_back(nodes_.copy(segment));
  return arena_.copy(std::span<const std::string_view>(copies));
}

void Resolver::check_hidden(const schema::Field& field, SourceRange range) const {
  if (field.hidden && !scope_.allow_hidden) {
    fail(ResolveErrorCode::kHiddenField, range, "non-filterable field " + quoted(field.name));
  }
}

}  // namespace detail

PlanPtr resolve_filter(const Ast& ast, const ResolveContext& context) {
  Arena arena(4096);
  detail::Resolver resolver(context, arena);
  const PlanExpr* filter = resolver.expr(ast.root());
  return resolver.finish(std::move(arena), filter, {});
}

PlanPtr resolve_sort(const Sort& sort, const ResolveContext& context) {
  Arena arena(2048);
  detail::Resolver resolver(context, arena);
  std::vector<SortTerm> terms;
  terms.reserve(sort.fields().size());
  for (const SortField& field : sort.fields()) {
    SortTerm term{field.kind, field.direction, nullptr};
    if (field.kind == SortKind::kField) {
      Operand operand{field.range, field.identifier};
      PlanOperand resolved = resolver.operand(operand);
      // A sort must name a column: PocketBase refuses anything that binds params or is NULL.
      if (resolved.kind != PlanOperand::Kind::kFixed || resolved.fixed.params > 0 ||
          resolved.fixed.empty_identifier) {
        detail::fail(ResolveErrorCode::kInvalidSortField, field.range,
                     "invalid sort field \"" +
                         std::string(sort.source().substr(field.range.offset, field.range.length)) +
                         "\": it is a value, not a column");
      }
      term.expr = resolved.fixed.expr;
      // A guarded column (another record's email) sorts as NULL where the filter could not
      // read it, so that the order reveals nothing of it.
      if (resolved.fixed.also != nullptr) {
        term.expr = resolver.nodes().case_when(resolved.fixed.also, term.expr);
      }
    }
    terms.push_back(term);
  }
  return resolver.finish(std::move(arena), nullptr, terms);
}

std::optional<std::string> check_rule(const schema::Collection& collection,
                                      std::span<const schema::Collection> collections,
                                      std::string_view rule) {
  try {
    Ast ast = parse_filter(rule, ParseLimits::stored_rule());
    resolve_filter(ast, ResolveContext{collection, collections});
    return std::nullopt;
  } catch (const ParseError& error) {
    return error.what();
  } catch (const ResolveError& error) {
    return error.what();
  }
}

std::optional<std::string_view> superuser_only_reference(std::string_view text) noexcept {
  for (std::string_view field : {std::string_view("@collection."), std::string_view("@request.")}) {
    if (text.find(field) != std::string_view::npos) return field;
  }
  return std::nullopt;
}

}  // namespace basalt::query
