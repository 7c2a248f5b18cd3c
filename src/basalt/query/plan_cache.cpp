#include "basalt/query/plan_cache.hpp"

#include "basalt/core/span_scope.hpp"
#include "basalt/metrics/thread_block.hpp"

#include "basalt/query/parser.hpp"
#include "basalt/query/sort.hpp"

namespace basalt::query {
namespace {

// The lookup in the calling thread's metrics block (the cache's own totals are shared).
void count_lookup(bool hit) noexcept {
  if (!metrics::enabled()) return;
  metrics::ThreadBlock& block = metrics::local();
  (hit ? block.cache_hits : block.cache_misses)[metrics::index(metrics::Cache::kPlan)].add();
}

}  // namespace

PlanCache::PlanCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

PlanPtr PlanCache::filter(const ResolveContext& context, std::uint64_t version,
                          std::string_view text) {
  return get(context, version, Kind::kFilter, text);
}

PlanPtr PlanCache::sort(const ResolveContext& context, std::uint64_t version,
                        std::string_view text) {
  return get(context, version, Kind::kSort, text);
}

std::string PlanCache::make_key(const ResolveContext& context, Kind kind, std::string_view text) {
  // NUL separates the parts: no id or name holds one.
  std::string key;
  key.reserve(text.size() + 64);
  key += static_cast<char>(kind);
  key += context.mode == ResolveMode::kRule ? 'r' : 'c';
  key += context.superuser ? 's' : '-';
  key += context.collection.id;
  key += '\0';
  if (context.auth_collection != nullptr) key += context.auth_collection->id;
  key += '\0';
  key += text;
  return key;
}

PlanPtr PlanCache::get(const ResolveContext& context, std::uint64_t version, Kind kind,
                       std::string_view text) {
  std::string key = make_key(context, kind, text);
  {
    std::lock_guard lock(mutex_);
    if (version > version_) {
      index_.clear();
      entries_.clear();
      version_ = version;
    }
    if (version == version_) {
      auto found = index_.find(key);
      if (found != index_.end()) {
        entries_.splice(entries_.begin(), entries_, found->second);
        ++hits_;
        count_lookup(true);
        return found->second->plan;
      }
    }
    ++misses_;
  }
  count_lookup(false);

  // A miss compiles the rule, filter or sort: its own span under the request's.
  core::SpanScope span;
  if (span.start("rule.compile")) {
    span.set("basalt.rule.kind", kind == Kind::kFilter ? (context.mode == ResolveMode::kRule
                                                              ? std::string_view("rule")
                                                              : std::string_view("filter"))
                                                       : std::string_view("sort"));
    span.set("basalt.collection", context.collection.name);
  }
  PlanPtr plan;
  if (kind == Kind::kFilter) {
    Ast ast = parse_filter(text, context.mode == ResolveMode::kRule ? ParseLimits::stored_rule()
                                                                    : ParseLimits::client_filter());
    plan = resolve_filter(ast, context);
  } else {
    plan = resolve_sort(parse_sort(text), context);
  }

  std::lock_guard lock(mutex_);
  if (version != version_) return plan;  // resolved against a schema that is no longer current
  if (index_.find(key) != index_.end()) return plan;  // another thread was faster
  entries_.push_front(Entry{std::move(key), plan});
  index_.emplace(entries_.front().key, entries_.begin());
  while (entries_.size() > capacity_) {
    index_.erase(entries_.back().key);
    entries_.pop_back();
  }
  return plan;
}

std::size_t PlanCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::uint64_t PlanCache::hits() const {
  std::lock_guard lock(mutex_);
  return hits_;
}

std::uint64_t PlanCache::misses() const {
  std::lock_guard lock(mutex_);
  return misses_;
}

}  // namespace basalt::query
