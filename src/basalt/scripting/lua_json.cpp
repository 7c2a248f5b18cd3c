#include "basalt/scripting/lua_json.hpp"

#include "basalt/scripting/lazy_fields.hpp"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <limits>
#include <string>

extern "C" {
#include <lauxlib.h>
}

namespace basalt::scripting {
namespace json = boost::json;
namespace {

constexpr const char* kArrayMarker = "basalt.json.array";

// The sentinel's address: unique in the process, never dereferenced.
char null_sentinel;

void push_value(lua_State* L, const json::value& value, int depth);

void push_object(lua_State* L, const json::object& object, int depth) {
  lua_createtable(L, 0, static_cast<int>(object.size()));
  for (const auto& entry : object) {
    lua_pushlstring(L, entry.key().data(), entry.key().size());
    push_value(L, entry.value(), depth + 1);
    lua_rawset(L, -3);
  }
}

void push_value(lua_State* L, const json::value& value, int depth) {
  if (depth > kMaxJsonDepth) luaL_error(L, "JSON nested deeper than %d levels", kMaxJsonDepth);
  luaL_checkstack(L, 4, "JSON value");
  switch (value.kind()) {
    case json::kind::null:
      push_json_null(L);
      return;
    case json::kind::bool_:
      lua_pushboolean(L, value.get_bool());
      return;
    case json::kind::int64:
      lua_pushnumber(L, static_cast<lua_Number>(value.get_int64()));
      return;
    case json::kind::uint64:
      lua_pushnumber(L, static_cast<lua_Number>(value.get_uint64()));
      return;
    case json::kind::double_:
      lua_pushnumber(L, value.get_double());
      return;
    case json::kind::string:
      lua_pushlstring(L, value.get_string().data(), value.get_string().size());
      return;
    case json::kind::array: {
      const json::array& array = value.get_array();
      lua_createtable(L, static_cast<int>(array.size()), 0);
      int i = 1;
      for (const json::value& item : array) {
        push_value(L, item, depth + 1);
        lua_rawseti(L, -2, i++);
      }
      push_array_marker(L);
      lua_setmetatable(L, -2);
      return;
    }
    case json::kind::object:
      push_object(L, value.get_object(), depth);
      return;
  }
}

json::value number_value(lua_State* L, lua_Number number) {
  if (!std::isfinite(number)) luaL_error(L, "NaN and infinities have no JSON form");
  if (std::floor(number) == number && number >= -9.2e18 && number <= 9.2e18) {
    return json::value(static_cast<std::int64_t>(number));
  }
  return json::value(number);
}

bool has_array_marker(lua_State* L, int index) {
  if (!lua_getmetatable(L, index)) return false;
  luaL_getmetatable(L, kArrayMarker);
  const bool marked = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return marked;
}

json::value table_value(lua_State* L, int index, int depth);

json::value read_value(lua_State* L, int index, int depth) {
  if (depth > kMaxJsonDepth) {
    luaL_error(L, "value nested deeper than %d levels (or a cycle)", kMaxJsonDepth);
  }
  switch (lua_type(L, index)) {
    case LUA_TNIL:
      return nullptr;
    case LUA_TBOOLEAN:
      return json::value(static_cast<bool>(lua_toboolean(L, index)));
    case LUA_TNUMBER:
      return number_value(L, lua_tonumber(L, index));
    case LUA_TSTRING: {
      std::size_t size = 0;
      const char* text = lua_tolstring(L, index, &size);
      return json::value(json::string_view(text, size));
    }
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, index) == &null_sentinel) return nullptr;
      break;
    case LUA_TTABLE:
      return table_value(L, index, depth);
    default:
      break;
  }
  luaL_error(L, "a %s has no JSON form", luaL_typename(L, index));
  return nullptr;
}

json::value table_value(lua_State* L, int index, int depth) {
  luaL_checkstack(L, 6, "JSON value");
  if (index < 0) index = lua_gettop(L) + index + 1;
  fill_lazy(L, index);
  // An array: the marker, or keys exactly 1..n with n >= 1.
  const std::size_t length = lua_objlen(L, index);
  bool array = has_array_marker(L, index);
  if (!array && length > 0) {
    std::size_t keys = 0;
    lua_pushnil(L);
    while (lua_next(L, index)) {
      ++keys;
      lua_pop(L, 1);
    }
    array = keys == length;
  }
  if (array) {
    json::array out;
    out.reserve(length);
    for (std::size_t i = 1; i <= length; ++i) {
      lua_rawgeti(L, index, static_cast<int>(i));
      out.push_back(read_value(L, -1, depth + 1));
      lua_pop(L, 1);
    }
    return out;
  }
  json::object out;
  lua_pushnil(L);
  while (lua_next(L, index)) {
    std::string key;
    if (lua_type(L, -2) == LUA_TSTRING) {
      std::size_t size = 0;
      const char* text = lua_tolstring(L, -2, &size);
      key.assign(text, size);
    } else if (lua_type(L, -2) == LUA_TNUMBER) {
      key = json::serialize(number_value(L, lua_tonumber(L, -2)));
    } else {
      luaL_error(L, "an object key must be a string or a number, not a %s", luaL_typename(L, -2));
    }
    out[key] = read_value(L, -1, depth + 1);
    lua_pop(L, 1);
  }
  return out;
}

bool equals_value(lua_State* L, int index, const json::value& value, int depth);

// Whether the table at `index` (absolute) is one to_json reads as an object, with exactly the
// keys and values of `object`.
bool equals_object(lua_State* L, int index, const json::object& object, int depth) {
  if (has_array_marker(L, index) || lua_objlen(L, index) > 0) return false;
  std::size_t keys = 0;
  lua_pushnil(L);
  while (lua_next(L, index)) {
    std::size_t size = 0;
    const char* key = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &size) : nullptr;
    const json::value* expected = key ? object.if_contains(json::string_view(key, size)) : nullptr;
    if (!expected || !equals_value(L, lua_gettop(L), *expected, depth + 1)) {
      lua_pop(L, 2);
      return false;
    }
    ++keys;
    lua_pop(L, 1);
  }
  return keys == object.size();
}

// Whether the table at `index` (absolute) is one to_json reads as an array equal to `array`.
bool equals_array(lua_State* L, int index, const json::array& array, int depth) {
  const std::size_t length = lua_objlen(L, index);
  if (length != array.size()) return false;
  if (!has_array_marker(L, index)) {
    if (length == 0) return false;  // an unmarked empty table reads as an object
    std::size_t keys = 0;
    lua_pushnil(L);
    while (lua_next(L, index)) {
      ++keys;
      lua_pop(L, 1);
    }
    if (keys != length) return false;
  }
  for (std::size_t i = 0; i < length; ++i) {
    lua_rawgeti(L, index, static_cast<int>(i + 1));
    const bool equal = equals_value(L, lua_gettop(L), array[i], depth + 1);
    lua_pop(L, 1);
    if (!equal) return false;
  }
  return true;
}

bool equals_value(lua_State* L, int index, const json::value& value, int depth) {
  if (depth > kMaxJsonDepth || !lua_checkstack(L, 4)) return false;
  switch (lua_type(L, index)) {
    case LUA_TNIL:
      return value.is_null();
    case LUA_TBOOLEAN:
      return value.is_bool() && value.get_bool() == static_cast<bool>(lua_toboolean(L, index));
    case LUA_TNUMBER: {
      const lua_Number number = lua_tonumber(L, index);
      if (!std::isfinite(number) || !value.is_number()) return false;
      // As number_value converts it, compared the way json::value compares.
      if (std::floor(number) == number && number >= -9.2e18 && number <= 9.2e18) {
        return value == json::value(static_cast<std::int64_t>(number));
      }
      return value == json::value(number);
    }
    case LUA_TSTRING: {
      if (!value.is_string()) return false;
      std::size_t size = 0;
      const char* text = lua_tolstring(L, index, &size);
      return value.get_string() == json::string_view(text, size);
    }
    case LUA_TLIGHTUSERDATA:
      return value.is_null() && lua_touserdata(L, index) == &null_sentinel;
    case LUA_TTABLE:
      if (value.is_object()) return equals_object(L, index, value.get_object(), depth);
      if (value.is_array()) return equals_array(L, index, value.get_array(), depth);
      return false;
    default:
      return false;
  }
}

}  // namespace

bool json_equals(lua_State* L, int index, const json::value& value) {
  if (index < 0) index = lua_gettop(L) + index + 1;
  return equals_value(L, index, value, 0);
}

bool json_equals(lua_State* L, int index, const json::object& object) {
  if (index < 0) index = lua_gettop(L) + index + 1;
  return lua_type(L, index) == LUA_TTABLE && lua_checkstack(L, 4) &&
         equals_object(L, index, object, 0);
}

bool is_json_null(lua_State* L, int index) {
  return lua_type(L, index) == LUA_TLIGHTUSERDATA && lua_touserdata(L, index) == &null_sentinel;
}

void install_json_support(lua_State* L) {
  luaL_newmetatable(L, kArrayMarker);
  lua_pushliteral(L, "array");
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
}

void push_array_marker(lua_State* L) {
  luaL_getmetatable(L, kArrayMarker);
}

void push_json_null(lua_State* L) {
  lua_pushlightuserdata(L, &null_sentinel);
}

void push_json(lua_State* L, const json::value& value) {
  push_value(L, value, 0);
}

void push_json(lua_State* L, const json::object& object) {
  luaL_checkstack(L, 4, "JSON value");
  push_object(L, object, 0);
}

json::value to_json(lua_State* L, int index) {
  if (index < 0) index = lua_gettop(L) + index + 1;
  return read_value(L, index, 0);
}

}  // namespace basalt::scripting
