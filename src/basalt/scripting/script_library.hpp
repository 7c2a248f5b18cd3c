// The sandboxed standard library and the `basalt` library of a script state (docs/hooks.md,
// "Sandbox" and "API reference"). Internal to the scripting module.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "basalt/scripting/lazy_fields.hpp"
#include "basalt/scripting/registrations.hpp"
#include "basalt/scripting/script_files.hpp"
#include "basalt/scripting/script_state.hpp"

extern "C" {
#include <lua.h>
}

namespace basalt::scripting {

// The state's link to its host, kept in the registry (light userdata). Owned by ScriptState.
struct StateContext {
  const ScriptFiles* files = nullptr;
  const ScriptHost* host = nullptr;
  LuaLimits limits;
  Registrations* collecting = nullptr;    // set while the scripts load: basalt.on & co allowed
  lua_State* running = nullptr;           // the coroutine of the call running now, if any
  std::optional<ServiceRequest> pending;  // what `running` yielded for
  lua_State* pending_thread = nullptr;
  // Lazy argument tables of the calls in flight (lazy_fields.hpp); `current_call` is the call
  // whose argument is being pushed, numbered from `calls`.
  std::vector<LazyTable> lazy;
  int lazy_metatable = -2;  // registry reference (LUA_NOREF until the first lazy table)
  std::uint64_t calls = 0;
  std::uint64_t current_call = 0;
};

StateContext& context_of(lua_State* L);

// Opens the allowed standard libraries, removes what the sandbox refuses and installs
// `basalt`. Runs under a protected call (it allocates).
void install_library(lua_State* L, StateContext& context);

// Adds the helper libraries (basalt.log, json, time, crypto, mail; script_helpers.cpp) to the
// `basalt` table at the top of the stack.
void install_helpers(lua_State* L);

// Shared by the library's files: a string argument (raises when it is none); the calling
// script's "file.lua:12"; sets `name` of the table at the top of the stack to `function`.
std::string_view check_text(lua_State* L, int index);
std::string where(lua_State* L);
// The arguments as one line for the log, tostring'ed and joined by spaces, at most 4 KiB.
std::string log_line(lua_State* L);
void set_function(lua_State* L, const char* name, lua_CFunction function);

// Pushes the registered function `index` (basalt.functions[index]).
void push_registered_function(lua_State* L, int index);

// Loads `source` as text (binary chunks refused) under `chunk_name`; Lua's status.
int load_text_chunk(lua_State* L, std::string_view source, const std::string& chunk_name);

// The error table `basalt.error(status, message, data)` makes, when the value at `index` is
// one: fills the three and answers true.
bool read_script_error(lua_State* L, int index, int& status, std::string& message,
                       boost::json::object& data);

}  // namespace basalt::scripting
