// resolve_filter / resolve_sort: a parsed filter, rule or sort (parser.hpp, sort.hpp) checked
// against a collection's schema and turned into a Plan (plan.hpp), as PocketBase's
// RecordFieldResolver resolves fields (core/record_field_resolver*.go, docs/filters.md).
//
// What an identifier may be:
//   - a field of the collection; `rel.field...` walks single or multiple relations (at most
//     kMaxRelationDepth hops) and `<collection>_via_<field>` back-relations; the rest of a path
//     after a json or geoPoint field is a JSON path (`meta.a.0`, `loc.lon`); `rel.id` on a
//     single relation reads the relation column without a join;
//   - `@request.context|method`, `@request.headers|query|body.<path>`: request values, bound
//     as parameters per request (missing ones are NULL); `@request.auth.<path>`: the
//     requester's id, collectionId, collectionName, email, emailVisibility and verified come
//     from the request, any other field joins the auth collection on the requester's id;
//     `@request.body.<relation>.<path>` joins the related records the body names;
//   - `@collection.<name>[:<alias>].<path>`: a join to every record of another collection.
// Modifiers and where they are allowed (stricter than PocketBase, which ignores a misplaced
// modifier and compares the bare column; here that is a kInvalidModifier error):
//   :lower   any field, JSON path or request value          LOWER(x)
//   :length  select/file/relation fields, @request.body ones item count
//   :each    select/file/relation fields, @request.body ones one value per item (all-of for
//                                                            fields that hold many)
//   :isset   @request.headers|query|body values             TRUE when the key was sent
//   :changed @request.body.<field>                          f:isset = true && f != <field>
//
// Multi-valued semantics (PocketBase's multi-match, docs/filters.md): an operand is multi-valued
// when its path crosses a multiple relation, a back-relation without a unique index on its field,
// an
// `@collection` join or a `:each` of a field holding many values. Such an operand is LEFT JOINed
// (one row per value) and also carries a correlated subquery of all its values (MultiMatch). A
// `?`-operator is satisfied by any one value (the join alone); a plain operator additionally
// requires that no value fails it (NOT EXISTS ... WHERE NOT <cond>), i.e. all values match.
// A missing value (empty array, no related record) is one NULL row and never counts as failing.
//
// Modes (ResolveContext):
//   kRule: a stored collection rule, trusted: hidden fields and `@request.*`/`@collection.*`
//     are allowed; ParseLimits::stored_rule().
//   kClient: a list request's `filter`/`sort` (docs/records.md, "Lists"). For a superuser it is
//   trusted like a
//     rule. For anyone else: hidden fields are kHiddenField, `@request.*`/`@collection.*` are
//     kSuperuserOnly (403), `email` of an auth collection only matches records whose
//     emailVisibility is on, and every relation it walks into needs list access: a collection
//     with a null listRule is kLockedCollection, a non-empty listRule is enforced at that join
//     (Plan::list_rules()).
//
// Invariants of every Plan returned:
//   1. It depends on the schema, the mode, the superuser flag and the auth collection only,
//      never on request values (lowering binds those), so PlanCache may key it on them.
//   2. Joins are LEFT JOINs keyed by their path from the collection (SqlSource::key): one path,
//      one join, however often and from whichever expression it is reached.
//   3. For a non-superuser's client filter or sort: no hidden field is read, no `@request.*` or
//      `@collection.*` is resolved, and every collection joined has its list rule enforced.
//
// Errors: ResolveError (resolve_error.hpp) positioned at the operand.
// Thread safety: reentrant; the Plan is immutable. `context` is only read during the call.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "basalt/query/ast.hpp"
#include "basalt/query/plan.hpp"
#include "basalt/query/sort.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::query {

inline constexpr std::size_t kMaxRelationDepth = 6;  // maxNestedRels

enum class ResolveMode : std::uint8_t { kRule, kClient };

struct ResolveContext {
  const schema::Collection& collection;
  // Every collection, for relations, back-relations and @collection (may include
  // `collection` itself; a relation to the collection's own id always uses `collection`).
  std::span<const schema::Collection> collections;
  // The requester's auth collection; nullptr for guests (then every @request.auth.* is NULL).
  const schema::Collection* auth_collection = nullptr;
  ResolveMode mode = ResolveMode::kRule;
  bool superuser = false;
};

// Throws ResolveError.
PlanPtr resolve_filter(const Ast& ast, const ResolveContext& context);
// Throws ResolveError (kInvalidSortField for a field that resolves to a value, not a column).
PlanPtr resolve_sort(const Sort& sort, const ResolveContext& context);

// Parses and resolves `rule` as a stored rule of `collection` for a guest, as PocketBase's
// collection validator does; the error text ("..." of "Invalid rule. Raw error: ...") or
// nullopt when it is valid. Suitable as schema::CollectionLookup::check_rule.
std::optional<std::string> check_rule(const schema::Collection& collection,
                                      std::span<const schema::Collection> collections,
                                      std::string_view rule);

// PocketBase's checkForSuperuserOnlyRuleFields, on the raw text of a filter or sort: "@collection."
// or "@request." when the text contains it (anywhere, even inside a quoted text), else nullopt.
// The records service checks `filter` and `sort` with it first and answers 403 "Only superusers
// can filter by <it>" to non-superusers.
std::optional<std::string_view> superuser_only_reference(std::string_view text) noexcept;

}  // namespace basalt::query
