// Lazy fields of a call's argument table (docs/hooks.md, "Cost"): fields the host fills on
// their first read, so a hook that never reads `e.record`, `e.auth` or `e.original` never pays
// for building them. Internal to the scripting module.
//
// How: the table gets the state's one lazy metatable, whose __index looks the table up among
// the running calls' lazy tables (StateContext::lazy, by identity: a script cannot forge one)
// and asks its source for the key; what the source pushes is stored in the table (rawset), so
// the next read and any write are plain table operations. A key is filled at most once: a
// field the script set to nil stays nil. When the call ends (any way) its tables are
// forgotten, so a table a script kept reads nil for fields it never read. `pairs(e)` lists
// only the fields filled so far; to_json (basalt.json.encode included) fills every field first.
//
// Thread ownership: as the state (one thread).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

extern "C" {
#include <lua.h>
}

namespace basalt::scripting {

class LazyFields {
 public:
  // The field names this source can fill.
  virtual std::span<const std::string_view> lazy_keys() const noexcept = 0;
  // Pushes field `key` (one of lazy_keys()) and answers true, or pushes nothing and answers
  // false (no such field for this argument). Runs in a protected section: may raise.
  virtual bool push_field(lua_State* L, std::string_view key) = 0;

 protected:
  ~LazyFields() = default;
};

// One lazy table of a running call (StateContext::lazy).
struct LazyTable {
  const void* table = nullptr;
  LazyFields* source = nullptr;
  std::uint64_t call = 0;
  unsigned filled = 0;  // bit i: lazy_keys()[i] was filled (or found set by the script)
};

// Makes the table at `index` lazy with `source` for the rest of the running call
// (StateContext::current_call). Raises a Lua error (memory) only.
void make_lazy(lua_State* L, int index, LazyFields& source);

struct StateContext;

// Forgets the lazy tables of call `call` (it ended).
void forget_lazy(StateContext& context, std::uint64_t call);

// Fills every lazy field of the table at `index` that is not filled yet (no-op for any other
// table). Raises what the sources raise.
void fill_lazy(lua_State* L, int index);

}  // namespace basalt::scripting
