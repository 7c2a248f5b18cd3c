// JSON <-> Lua values for the scripting module (docs/hooks.md, "Values").
//
// JSON objects become tables, arrays tables with the array marker metatable (so that an empty
// array stays an array on the way back), null the `basalt.json.null` sentinel (a light
// userdata), numbers Lua numbers. Back: a table with the marker or whose keys are exactly
// 1..n (n >= 1) is an array, any other table an object (number keys written as text); a
// number with an integral value in int64 range is an integer. Functions, userdata, NaN and
// infinities, cycles and nesting deeper than kMaxJsonDepth raise a Lua error.
#pragma once

#include <boost/json/value.hpp>

extern "C" {
#include <lua.h>
}

namespace basalt::scripting {

inline constexpr int kMaxJsonDepth = 64;

// Creates the array marker metatable and the null sentinel in the registry; once per state.
void install_json_support(lua_State* L);

// Pushes `value`. Raises a Lua error (memory) only.
void push_json(lua_State* L, const boost::json::value& value);
// The same for an object (no copy into a json::value first).
void push_json(lua_State* L, const boost::json::object& object);

// The JSON of the Lua value at `index`; raises a Lua error when it has none.
boost::json::value to_json(lua_State* L, int index);

// True only when to_json(L, index) would equal `value` (compared in place: nothing is
// allocated and no Lua error is raised). It may answer false for a value that would convert
// equal (a table with number keys, nesting past kMaxJsonDepth), never true for one that would
// not: a false answer only costs a conversion.
bool json_equals(lua_State* L, int index, const boost::json::value& value);
bool json_equals(lua_State* L, int index, const boost::json::object& object);

// Whether the value at `index` is the null sentinel.
bool is_json_null(lua_State* L, int index);

// Pushes the array marker metatable.
void push_array_marker(lua_State* L);
// Pushes the null sentinel.
void push_json_null(lua_State* L);

}  // namespace basalt::scripting
