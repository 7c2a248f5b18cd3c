#include "basalt/scripting/lua_state.hpp"

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

extern "C" {
#include <lauxlib.h>
#include <luajit.h>
}

namespace basalt::scripting {

void* LuaState::allocate(void* self, void* block, std::size_t old_size, std::size_t new_size) {
  auto& state = *static_cast<LuaState*>(self);
  // Lua passes the block's old size, or a type tag when `block` is null (nothing to free).
  const std::size_t held = block ? old_size : 0;
  if (new_size == 0) {
    std::free(block);
    state.used_ -= held;
    return nullptr;
  }
  if (new_size > held && state.uncapped_ == 0 &&
      state.used_ - held + new_size > state.limits_.memory_bytes) {
    state.memory_refused_ = true;
    return nullptr;  // invariant 1: Lua raises LUA_ERRMEM
  }
  void* grown = std::realloc(block, new_size);
  if (grown) state.used_ = state.used_ - held + new_size;
  return grown;
}

void LuaState::count_hook(lua_State* L, lua_Debug*) {
  LuaState& state = of(L);
  if (!state.armed_) return;
  if (!state.exceeded_ && std::chrono::steady_clock::now() < state.deadline_) return;
  if (!state.exceeded_) {
    state.exceeded_ = true;
    // Invariant 2: every instruction from now on ends up here.
    lua_sethook(L, count_hook, LUA_MASKCOUNT, 1);
  }
  luaL_error(L, "time budget of %d ms exceeded",
             static_cast<int>(state.limits_.call_timeout.count()));
}

LuaState::LuaState(LuaLimits limits) : limits_(limits) {
  {
    Uncapped base(*this);  // the state's own base allocations
    state_ = lua_newstate(&LuaState::allocate, this);
  }
  if (!state_) throw std::runtime_error("cannot create a Lua state");
  lua_atpanic(state_, [](lua_State* L) -> int {
    // Only reachable through a bug of the host (an unprotected call that failed).
    std::fprintf(stderr, "basalt: unprotected Lua error: %s\n", lua_tostring(L, -1));
    std::abort();
  });
  luaJIT_setmode(state_, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);  // invariant 2
  lua_sethook(state_, count_hook, LUA_MASKCOUNT, kHookInstructions);
}

LuaState::~LuaState() {
  if (state_) lua_close(state_);
}

LuaState& LuaState::of(lua_State* L) noexcept {
  void* self = nullptr;
  lua_getallocf(L, &self);  // the allocator's user data is the LuaState
  return *static_cast<LuaState*>(self);
}

void LuaState::start_budget(std::chrono::steady_clock::duration budget) noexcept {
  started_ = std::chrono::steady_clock::now();
  deadline_ = started_ + budget;
  armed_ = true;
  if (exceeded_) lua_sethook(state_, count_hook, LUA_MASKCOUNT, kHookInstructions);
  exceeded_ = false;
}

std::chrono::steady_clock::duration LuaState::stop_budget() noexcept {
  armed_ = false;
  if (exceeded_) lua_sethook(state_, count_hook, LUA_MASKCOUNT, kHookInstructions);
  return std::chrono::steady_clock::now() - started_;
}

}  // namespace basalt::scripting
