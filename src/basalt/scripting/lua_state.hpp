// LuaState: one sandboxed LuaJIT state with a memory cap and a per-call time budget
// (docs/hooks.md, "Limits"). Internal to the scripting module.
//
// Invariants:
//  1. Every byte the state allocates goes through its own allocator, which counts it and
//     refuses (returns null, so Lua raises "not enough memory") an allocation that would take
//     the total past `memory_bytes`. Frees and shrinks are always granted. The error ends the
//     Lua call; the garbage collector then gives the memory back and the state is usable.
//  2. The JIT compiler is off (luaJIT_setmode(..., LUAJIT_MODE_OFF)): compiled traces never call
//     the count hook, so a loop turned into machine code could not be stopped. The interpreter
//     calls the hook every kHookInstructions virtual-machine instructions; the hook reads the
//     steady clock and raises "time budget exceeded" once the running call's deadline passed.
//     From then on it fires at every instruction, so a script that catches the error with
//     pcall is stopped again at its next instruction outside the pcall.
//  3. Time spent in one C function (string.rep, a pattern match) is not interrupted; the memory
//     cap bounds what string functions can build, and patterns are documented as a limit.
//
// Thread ownership: a state and every coroutine in it are used by one thread at a time (the
// worker that built it, or the loader thread while checking scripts).
#pragma once

#include <chrono>
#include <cstddef>

extern "C" {
#include <lua.h>
}

namespace basalt::scripting {

struct LuaLimits {
  std::size_t memory_bytes = std::size_t{64} << 20;
  std::chrono::milliseconds call_timeout{1000};
};

class LuaState {
 public:
  static constexpr int kHookInstructions = 1000;

  // Throws std::runtime_error when the state cannot be created.
  explicit LuaState(LuaLimits limits);
  ~LuaState();
  LuaState(const LuaState&) = delete;
  LuaState& operator=(const LuaState&) = delete;

  lua_State* get() const noexcept { return state_; }
  const LuaLimits& limits() const noexcept { return limits_; }
  std::size_t used_bytes() const noexcept { return used_; }

  // Arms the time budget for Lua code run from now on: `budget` of run time.
  void start_budget(std::chrono::steady_clock::duration budget) noexcept;
  // Disarms it; returns the run time spent since start_budget().
  std::chrono::steady_clock::duration stop_budget() noexcept;
  // True once the running call hit its deadline (until the next start_budget()).
  bool budget_exceeded() const noexcept { return exceeded_; }
  // True when an allocation was refused since the last reset_memory_flag().
  bool memory_refused() const noexcept { return memory_refused_; }
  void reset_memory_flag() noexcept { memory_refused_ = false; }

  // While one lives, the memory cap does not apply: for the host's own few small allocations
  // made outside a protected call (a new coroutine, a registry reference), where a refusal
  // would be a panic instead of an error.
  class Uncapped {
   public:
    explicit Uncapped(LuaState& state) noexcept : state_(state) { ++state_.uncapped_; }
    ~Uncapped() { --state_.uncapped_; }
    Uncapped(const Uncapped&) = delete;
    Uncapped& operator=(const Uncapped&) = delete;

   private:
    LuaState& state_;
  };

  // The LuaState that owns `L` (any coroutine of it).
  static LuaState& of(lua_State* L) noexcept;

 private:
  static void* allocate(void* self, void* block, std::size_t old_size, std::size_t new_size);
  static void count_hook(lua_State* L, lua_Debug* debug);

  LuaLimits limits_;
  std::size_t used_ = 0;
  bool memory_refused_ = false;
  int uncapped_ = 0;
  bool armed_ = false;
  bool exceeded_ = false;
  std::chrono::steady_clock::time_point started_{};
  std::chrono::steady_clock::time_point deadline_{};
  lua_State* state_ = nullptr;
};

}  // namespace basalt::scripting
