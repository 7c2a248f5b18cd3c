#include "basalt/scripting/lazy_fields.hpp"

#include <algorithm>

#include "basalt/scripting/script_library.hpp"

extern "C" {
#include <lauxlib.h>
}

namespace basalt::scripting {
namespace {

constexpr const char* kLazyMetatable = "basalt.lazy";

LazyTable* find(StateContext& context, const void* table) {
  for (LazyTable& entry : context.lazy) {
    if (entry.table == table) return &entry;
  }
  return nullptr;
}

// Fills key number `i` of `entry` into the table at `index` (absolute) unless filled already
// or set by the script; leaves the field's value on the stack.
void fill(lua_State* L, int index, LazyTable& entry, std::size_t i, std::string_view key) {
  const unsigned bit = 1u << i;
  lua_pushlstring(L, key.data(), key.size());
  lua_rawget(L, index);
  if ((entry.filled & bit) || !lua_isnil(L, -1)) {
    entry.filled |= bit;
    return;
  }
  lua_pop(L, 1);
  entry.filled |= bit;
  if (!entry.source->push_field(L, key)) {
    lua_pushnil(L);
    return;
  }
  lua_pushlstring(L, key.data(), key.size());
  lua_pushvalue(L, -2);
  lua_rawset(L, index);
}

// __index(table, key): a lazy field on its first read, else nil.
int lazy_index(lua_State* L) {
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  LazyTable* entry = find(context_of(L), lua_topointer(L, 1));
  if (!entry) return 0;
  std::size_t size = 0;
  const char* text = lua_tolstring(L, 2, &size);
  const std::string_view key(text, size);
  std::size_t i = 0;
  for (std::string_view lazy : entry->source->lazy_keys()) {
    if (lazy == key) {
      fill(L, 1, *entry, i, key);
      return 1;
    }
    ++i;
  }
  return 0;
}

}  // namespace

void make_lazy(lua_State* L, int index, LazyFields& source) {
  if (index < 0) index = lua_gettop(L) + index + 1;
  StateContext& context = context_of(L);
  if (context.lazy_metatable == LUA_NOREF) {
    luaL_newmetatable(L, kLazyMetatable);
    lua_pushcfunction(L, lazy_index);
    lua_setfield(L, -2, "__index");
    lua_pushliteral(L, "event");
    lua_setfield(L, -2, "__name");
    context.lazy_metatable = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, context.lazy_metatable);
  lua_setmetatable(L, index);
  context.lazy.push_back(LazyTable{lua_topointer(L, index), &source, context.current_call});
}

void fill_lazy(lua_State* L, int index) {
  if (index < 0) index = lua_gettop(L) + index + 1;
  if (!lua_getmetatable(L, index)) return;
  luaL_getmetatable(L, kLazyMetatable);
  const bool lazy = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  if (!lazy) return;
  LazyTable* entry = find(context_of(L), lua_topointer(L, index));
  if (!entry) return;
  std::size_t i = 0;
  for (std::string_view key : entry->source->lazy_keys()) {
    fill(L, index, *entry, i++, key);
    lua_pop(L, 1);
  }
}

void forget_lazy(StateContext& context, std::uint64_t call) {
  std::erase_if(context.lazy, [call](const LazyTable& entry) { return entry.call == call; });
}

}  // namespace basalt::scripting
