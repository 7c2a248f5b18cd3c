// The resolver's working state (resolver.cpp, resolver_paths.cpp): one Resolver per
// resolve_filter / resolve_sort call. Not part of the module's interface.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "basalt/query/ast.hpp"
#include "basalt/query/plan.hpp"
#include "basalt/query/resolve_error.hpp"
#include "basalt/query/resolver.hpp"
#include "basalt/query/sql_node_factory.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::query::detail {

// `name` in double quotes, as error messages show a field or collection name.
inline std::string quoted(std::string_view name) {
  return "\"" + std::string(name) + "\"";
}

// What identifiers resolve against: the collection being filtered, or (for a list-rule check,
// docs/security.md, "Access control") a collection reached by a join, with PocketBase's trusted
// settings.
struct Scope {
  const schema::Collection* collection = nullptr;
  const SqlSource* base = nullptr;
  std::string alias;              // base's alias
  std::string key;                // prefix of the keys of joins made in this scope
  bool allow_hidden = true;       // hidden fields may be used
  bool refuse_request = false;    // @request.* / @collection.* are superuser-only
  bool check_list_rules = false;  // joins need list access
};

// The walk along one identifier's path (PocketBase's runner): where it is, and the parallel
// walk inside its multi-match subquery.
struct Walk {
  const schema::Collection* collection = nullptr;
  const SqlSource* source = nullptr;
  std::string alias;
  std::string key;
  bool nullify_missing = false;  // @request.*: a missing field is NULL, not an error
  bool multi = false;            // the operand is multi-valued (all-of semantics)
  const SqlSource* mm_from = nullptr;
  const SqlSource* mm_source = nullptr;
  std::string mm_alias;
  std::vector<const SqlSource*> mm_joins;
  std::vector<JoinRule> mm_rules;  // list rules of mm_joins (client filters only)
};

class Resolver {
 public:
  Resolver(const ResolveContext& context, Arena& arena);

  const PlanExpr* expr(const Expr& expr);
  PlanOperand operand(const Operand& operand);
  // Copies the plan's parts into `arena` (the one the resolver was built on), then moves it
  // into the Plan.
  PlanPtr finish(Arena&& arena, const PlanExpr* filter, std::span<const SortTerm> sort);

  SqlNodeFactory& nodes() noexcept { return nodes_; }

 private:
  friend class ScopeGuard;

  // resolver.cpp
  PlanOperand identifier(const Identifier& identifier, SourceRange range);
  PlanOperand call(const FunctionCall& call, SourceRange range);
  PlanOperand static_request(IdentifierRoot root, std::span<const std::string_view> path,
                             Modifier modifier, SourceRange range);
  PlanOperand body(const Identifier& identifier, SourceRange range);
  PlanOperand body_changed(const schema::Field& field, SourceRange range);
  PlanOperand auth(const Identifier& identifier, SourceRange range);
  PlanOperand collection(const Identifier& identifier, SourceRange range);
  PlanOperand body_relation(const schema::Field& field, const Identifier& identifier,
                            SourceRange range);
  void require_list_access(const schema::Collection& target, const SqlSource* join,
                           SourceRange range);
  // 403-kind error when `target`'s list rule is locked (superusers only).
  void refuse_locked(const schema::Collection& target, SourceRange range) const;
  // Parses `target`'s list rule and calls `resolve` in a trusted scope over `base` whose joins
  // are keyed under `key`; parse and resolve errors become kInvalidListRule.
  void resolve_list_rule(const schema::Collection& target, const SqlSource* base, std::string key,
                         SourceRange range, const std::function<void(const Ast&)>& resolve);

  // resolver_paths.cpp
  Walk start_walk(bool nullify_missing);
  ResolvedOperand path(Walk& walk, std::span<const std::string_view> path, Modifier modifier,
                       SourceRange range);
  ResolvedOperand finalize(Walk& walk, std::string_view name, Modifier modifier, SourceRange range);
  ResolvedOperand json_path(Walk& walk, const schema::Field& field,
                            std::span<const std::string_view> rest, Modifier modifier,
                            SourceRange range);
  void forward_relation(Walk& walk, const schema::Field& field, const schema::Collection& target,
                        SourceRange range);
  bool back_relation(Walk& walk, std::string_view prop, SourceRange range);
  SqlSource* table_join(const schema::Collection& target, std::string_view alias,
                        std::string_view key, SourceRange range);
  // `mm_where`: a condition a row of the multi-match subquery must meet to count.
  ResolvedOperand finish_operand(Walk& walk, ResolvedOperand operand, const SqlNode* mm_value,
                                 const SqlNode* mm_where = nullptr);
  // In a scope that checks list rules: guards the multi-match subquery's `mm_join` with
  // `target`'s list rule (in its ON clause), so a record the caller could not list reads as
  // missing there, as in the main query's join.
  void guard_match_join(Walk& walk, const schema::Collection& target, const SqlSource* mm_join,
                        SourceRange range);
  // `target`'s non-empty list rule as a JoinRule without its join (resolved once per
  // collection against a table of its own).
  JoinRule list_rule_of(const schema::Collection& target, SourceRange range);

  // shared
  const schema::Collection* find_collection(std::string_view id_or_name) const;
  const SqlNode* column(const SqlSource* source, const schema::Collection& collection,
                        const schema::Field& field);
  const SqlNode* column(const SqlSource* source, const schema::Collection& collection,
                        std::string_view name);
  ResolvedOperand null_operand();
  std::span<const std::string_view> copy_path(std::span<const std::string_view> path);
  void check_hidden(const schema::Field& field, SourceRange range) const;

  const ResolveContext& context_;
  Arena& arena_;
  SqlNodeFactory nodes_;
  Scope scope_;
  const SqlSource* base_ = nullptr;
  std::vector<JoinRule> list_rules_;
  // Per collection id: its list rule resolved once against a table of its own (guard_match_join).
  std::unordered_map<std::string, JoinRule> rule_sets_;
  bool evaluable_ = true;
};

// Restores the resolver's scope on exit (list-rule checks resolve in a scope of their own).
class ScopeGuard {
 public:
  ScopeGuard(Resolver& resolver, Scope scope) : resolver_(resolver), saved_(resolver.scope_) {
    resolver_.scope_ = std::move(scope);
  }
  ~ScopeGuard() { resolver_.scope_ = std::move(saved_); }
  ScopeGuard(const ScopeGuard&) = delete;
  ScopeGuard& operator=(const ScopeGuard&) = delete;

 private:
  Resolver& resolver_;
  Scope saved_;
};

bool is_multi_valuer(const schema::Field& field) noexcept;
Affinity affinity_of(const schema::Field& field) noexcept;
[[noreturn]] void fail(ResolveErrorCode code, SourceRange range, std::string message);

}  // namespace basalt::query::detail
