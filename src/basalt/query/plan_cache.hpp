// PlanCache: parsed and resolved filters, rules and sorts (Plan), kept per
//   (schema version, collection, mode, superuser, requester's auth collection, kind, text)
// so that a rule or a repeated client filter is parsed and resolved once, and a request only
// pays for lowering and printing (QueryBuilder).
//
// Invariants:
//   1. A plan is only ever served for the schema version it was resolved against: when a newer
//      version arrives every entry is dropped (collections::Catalog::version() grows with every
//      schema change); a request still holding an older snapshot resolves without the cache.
//   2. Entries are immutable and shared (PlanPtr); eviction never invalidates a plan in use.
//   3. Errors are not cached: a bad filter is parsed and refused again each time.
//   4. At most `capacity` entries; the least recently used goes first.
// Thread safety: every member may be called from any thread; one mutex guards the map, held
// for lookups and inserts only (never while parsing or resolving).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "basalt/query/plan.hpp"
#include "basalt/query/resolver.hpp"

namespace basalt::query {

class PlanCache {
 public:
  explicit PlanCache(std::size_t capacity = 2048);

  // The plan of filter or rule `text` (parsed with ParseLimits::stored_rule() in kRule mode,
  // client_filter() in kClient mode) for `context`. Throws ParseError / ResolveError. `text`
  // must not be empty (an empty rule means "everyone", an empty filter "no filter").
  PlanPtr filter(const ResolveContext& context, std::uint64_t version, std::string_view text);
  // The plan of sort `text` (parse_sort); throws ParseError / ResolveError.
  PlanPtr sort(const ResolveContext& context, std::uint64_t version, std::string_view text);

  std::size_t size() const;
  std::uint64_t hits() const;
  std::uint64_t misses() const;

 private:
  enum class Kind : char { kFilter = 'f', kSort = 's' };
  struct Entry {
    std::string key;
    PlanPtr plan;
  };

  PlanPtr get(const ResolveContext& context, std::uint64_t version, Kind kind,
              std::string_view text);
  static std::string make_key(const ResolveContext& context, Kind kind, std::string_view text);

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::uint64_t version_ = 0;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace basalt::query
