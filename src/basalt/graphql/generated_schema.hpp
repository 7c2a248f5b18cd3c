// GeneratedSchema: the GraphQL schema one class of caller sees of the collections
// (docs/graphql.md, "The schema of the collections"), with the links from its types back to the
// collections the executor compiles selections against.
//
// Caller classes: guests and users see the collections whose listRule or viewRule is not null
// (the root field `<c>` and `<c>_aggregate` need the listRule, `<c>_by_pk` the viewRule;
// related records need the target's viewRule, as REST expand does); hidden fields are absent.
// Superusers see every collection, system ones included, and hidden fields. `password` and
// `tokenKey` are never part of a type (records::Visibility).
//
// Invariant: a GeneratedSchema keeps its catalog snapshot alive; every `schema::Collection*` it
// hands out points into that snapshot. Immutable after generate_schema(); any thread may read it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "basalt/collections/catalog.hpp"
#include "basalt/graphql/schema.hpp"

namespace basalt::graphql {

enum class CallerClass : std::uint8_t { kGuest, kUser, kSuperuser };

// What a root field of the query type reads.
enum class RootKind : std::uint8_t { kList, kByPk, kAggregate };

struct RootBinding {
  const schema::Collection* collection = nullptr;
  RootKind kind = RootKind::kList;
};

// What a root field of the mutation type writes (mutation_schema.hpp).
enum class MutationKind : std::uint8_t {
  kInsert,      // insert_<c>(objects)
  kInsertOne,   // insert_<c>_one(object)
  kUpdate,      // update_<c>(where, _set, _inc)
  kUpdateByPk,  // update_<c>_by_pk(id, _set, _inc)
  kDelete,      // delete_<c>(where)
  kDeleteByPk,  // delete_<c>_by_pk(id)
};

struct MutationBinding {
  const schema::Collection* collection = nullptr;
  MutationKind kind = MutationKind::kInsert;
};

struct GeneratedSchema {
  std::shared_ptr<const collections::Catalog> catalog;
  CallerClass caller_class = CallerClass::kGuest;
  Schema schema;
  // Root fields of the query type by name.
  std::unordered_map<std::string, RootBinding> roots;
  // The `<c>_events` root fields of the subscription type by name (change feeds,
  // subscription_event_feed.hpp): the collection each watches.
  std::unordered_map<std::string, const schema::Collection*> event_feeds;
  // Root fields of the mutation type by name (empty: the schema has no mutation type).
  std::unordered_map<std::string, MutationBinding> mutations;
};

// Builds the schema of `caller_class` over `catalog`. Collections or fields whose names are not
// GraphQL names (possible only for collections stored before names were checked) are left out.
std::shared_ptr<const GeneratedSchema> generate_schema(
    std::shared_ptr<const collections::Catalog> catalog, CallerClass caller_class);

// Whether `name` is a GraphQL name: /[_A-Za-z][_0-9A-Za-z]*/ and not starting with "__".
bool is_exposable_name(std::string_view name) noexcept;

// The root field every query type has, so that no caller's schema is ever empty: the catalog
// version the schema was built from, as a string.
inline constexpr std::string_view kSchemaVersionField = "_schema_version";

// The enum of a change feed's `actions` argument and its events' `action` field: create, update,
// delete (records::record_action_name).
inline constexpr std::string_view kRecordActionType = "record_action";

}  // namespace basalt::graphql
