#include "basalt/scripting/script_library.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <string>

#include "basalt/scripting/lua_json.hpp"

extern "C" {
#include <lauxlib.h>
#include <lualib.h>
}

namespace basalt::scripting {
namespace json = boost::json;
namespace {

constexpr const char* kContextKey = "basalt.context";
constexpr const char* kFunctionsKey = "basalt.functions";
constexpr const char* kLoadedKey = "basalt.loaded";
constexpr const char* kErrorMarker = "__basalt_error";

StateContext& loading_context(lua_State* L, const char* function) {
  StateContext& context = context_of(L);
  if (!context.collecting) {
    luaL_error(L, "%s may only be called while a script loads (at its top level)", function);
  }
  return context;
}

// Appends the function at `index` to basalt.functions; its position.
int register_function(lua_State* L, int index) {
  luaL_checktype(L, index, LUA_TFUNCTION);
  lua_getfield(L, LUA_REGISTRYINDEX, kFunctionsKey);
  const int position = static_cast<int>(lua_objlen(L, -1)) + 1;
  lua_pushvalue(L, index);
  lua_rawseti(L, -2, position);
  lua_pop(L, 1);
  return position;
}

// basalt.on(event, [collection], fn)
int basalt_on(lua_State* L) {
  StateContext& context = loading_context(L, "basalt.on");
  records::HookEvent event{};
  const std::string_view name = check_text(L, 1);
  AuthHookEvent auth_event{};
  if (parse_auth_hook_event(name, auth_event)) {
    std::string collection;
    int function_index = 2;
    if (lua_type(L, 2) == LUA_TSTRING) {
      collection = std::string(check_text(L, 2));
      if (collection == "*") collection.clear();
      function_index = 3;
    }
    const int function = register_function(L, function_index);
    context.collecting->auth_hooks.push_back({auth_event, std::move(collection), function});
    return 0;
  }
  if (!parse_hook_event(name, event)) {
    return luaL_error(L, "basalt.on: unknown event '%s'", std::string(name).c_str());
  }
  std::string collection;
  int function_index = 2;
  if (lua_type(L, 2) == LUA_TSTRING) {
    collection = std::string(check_text(L, 2));
    if (collection == "*") collection.clear();
    function_index = 3;
  }
  const int function = register_function(L, function_index);
  context.collecting->hooks.push_back({event, std::move(collection), function});
  return 0;
}

bool valid_route_path(std::string_view path) {
  if (path.size() < 2 || path.size() > 256 || path.front() != '/' || path.back() == '/')
    return false;
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == '?' || c == '#' || c == '%') return false;
  }
  return path.find("//") == std::string_view::npos;
}

// basalt.route(method, path, fn, {auth = "guest"|"user"|"superuser"})
int basalt_route(lua_State* L) {
  StateContext& context = loading_context(L, "basalt.route");
  const std::string method_name(check_text(L, 1));
  const http::Method method = http::method_from_name(method_name);
  if (method != http::Method::kGet && method != http::Method::kPost &&
      method != http::Method::kPut && method != http::Method::kPatch &&
      method != http::Method::kDelete) {
    return luaL_error(L, "basalt.route: method must be GET, POST, PUT, PATCH or DELETE, not '%s'",
                      method_name.c_str());
  }
  const std::string path(check_text(L, 2));
  if (!valid_route_path(path)) {
    return luaL_error(L, "basalt.route: '%s' is not a route path (/a/{param}/b)", path.c_str());
  }
  RouteAuth auth = RouteAuth::kGuest;
  if (lua_istable(L, 4)) {
    lua_getfield(L, 4, "auth");
    if (!lua_isnil(L, -1)) {
      const std::string_view value = check_text(L, -1);
      if (value == "guest") {
        auth = RouteAuth::kGuest;
      } else if (value == "user") {
        auth = RouteAuth::kUser;
      } else if (value == "superuser") {
        auth = RouteAuth::kSuperuser;
      } else {
        return luaL_error(L, "basalt.route: auth must be \"guest\", \"user\" or \"superuser\"");
      }
    }
    lua_pop(L, 1);
  }
  const int function = register_function(L, 3);
  context.collecting->routes.push_back({method, path, auth, function, where(L)});
  return 0;
}

// basalt.cron(id, expression, fn)
int basalt_cron(lua_State* L) {
  StateContext& context = loading_context(L, "basalt.cron");
  std::string id(check_text(L, 1));
  std::string expression(check_text(L, 2));
  if (id.empty() || id.size() > 100) return luaL_error(L, "basalt.cron: id must be 1 to 100 bytes");
  for (const CronRegistration& cron : context.collecting->crons) {
    if (cron.id == id) return luaL_error(L, "basalt.cron: '%s' is registered twice", id.c_str());
  }
  const int function = register_function(L, 3);
  context.collecting->crons.push_back({std::move(id), std::move(expression), function, where(L)});
  return 0;
}

// One `paths` entry of basalt.middleware: "/..." with no control characters, spaces, '?' or
// '#', at most 256 bytes; a '*' only at the end.
bool valid_middleware_path(std::string_view path) {
  if (path.empty() || path.size() > 256 || path.front() != '/') return false;
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (static_cast<unsigned char>(c) <= 0x20 || c == '?' || c == '#') return false;
    if (c == '*' && i + 1 != path.size()) return false;
  }
  return true;
}

// basalt.middleware(fn, {paths = "/api/*" | {...}, methods = "GET" | {...}})
int basalt_middleware(lua_State* L) {
  StateContext& context = loading_context(L, "basalt.middleware");
  MiddlewareRegistration middleware;
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  // A string or an array of strings, from options field `name`.
  const auto strings = [L](const char* name) {
    std::vector<std::string> out;
    if (!lua_istable(L, 2)) return out;
    lua_getfield(L, 2, name);
    if (lua_isstring(L, -1)) {
      out.emplace_back(lua_tostring(L, -1));
    } else if (lua_istable(L, -1)) {
      const std::size_t count = lua_objlen(L, -1);
      for (std::size_t i = 1; i <= count && i <= 64; ++i) {
        lua_rawgeti(L, -1, static_cast<int>(i));
        if (!lua_isstring(L, -1)) luaL_error(L, "basalt.middleware: %s must hold strings", name);
        out.emplace_back(lua_tostring(L, -1));
        lua_pop(L, 1);
      }
    } else if (!lua_isnil(L, -1)) {
      luaL_error(L, "basalt.middleware: %s must be a string or a list of strings", name);
    }
    lua_pop(L, 1);
    return out;
  };
  middleware.paths = strings("paths");
  if (middleware.paths.empty()) middleware.paths.emplace_back("/api/*");
  for (const std::string& path : middleware.paths) {
    if (!valid_middleware_path(path)) {
      return luaL_error(L, "basalt.middleware: '%s' is not a path or a prefix ending in *",
                        path.c_str());
    }
  }
  for (const std::string& name : strings("methods")) {
    const http::Method method = http::method_from_name(name);
    if (method != http::Method::kGet && method != http::Method::kPost &&
        method != http::Method::kPut && method != http::Method::kPatch &&
        method != http::Method::kDelete && method != http::Method::kHead &&
        method != http::Method::kOptions) {
      return luaL_error(L, "basalt.middleware: unknown method '%s'", name.c_str());
    }
    middleware.methods.push_back(method);
  }
  middleware.function = register_function(L, 1);
  middleware.origin = where(L);
  context.collecting->middleware.push_back(std::move(middleware));
  return 0;
}

// basalt.error(status, message, data): the value to raise with error() for an API error.
int basalt_error(lua_State* L) {
  const lua_Integer status = luaL_checkinteger(L, 1);
  if (status < 400 || status > 599) return luaL_error(L, "basalt.error: status must be 400-599");
  const char* message = luaL_optstring(L, 2, "");
  // Checked before the table is pushed: with two arguments, slot 3 would otherwise be the new
  // table itself (a data table holding itself).
  const bool has_data = !lua_isnoneornil(L, 3);
  if (has_data) luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  lua_createtable(L, 0, 4);
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, kErrorMarker);
  lua_pushinteger(L, status);
  lua_setfield(L, -2, "status");
  lua_pushstring(L, message);
  lua_setfield(L, -2, "message");
  if (has_data) {
    lua_pushvalue(L, 3);
    lua_setfield(L, -2, "data");
  }
  return 1;
}

// basalt._service(operation, collection_or_sql, id, argument, options): yields to the host
// (ScriptState::call), which resumes it with (true, answer) or (false, error table).
int basalt_service(lua_State* L) {
  StateContext& context = context_of(L);
  if (!context.running) {
    return luaL_error(L,
                      "services can be called only from a hook, route or cron function, "
                      "not while a script loads");
  }
  if (context.running != L) {
    return luaL_error(L, "services cannot be called from a coroutine the script created");
  }
  ServiceRequest request;
  request.operation = std::string(check_text(L, 1));
  if (request.operation == "sql") {
    request.sql = std::string(check_text(L, 2));
  } else {
    request.collection = std::string(check_text(L, 2));
  }
  if (lua_isstring(L, 3)) request.id = lua_tostring(L, 3);
  if (!lua_isnoneornil(L, 4)) request.argument = to_json(L, 4);
  if (lua_istable(L, 5)) {
    lua_getfield(L, 5, "as");
    if (lua_isstring(L, -1)) {
      const std::string_view as = lua_tostring(L, -1);
      if (as != "superuser") return luaL_error(L, "options.as may only be \"superuser\"");
      request.as_superuser = true;
    }
    lua_pop(L, 1);
  }
  context.pending = std::move(request);
  context.pending_thread = L;
  return lua_yield(L, 0);
}

// loadstring(text [, name]) and load(text [, name]): text chunks only; no reader functions.
int safe_loadstring(lua_State* L) {
  const std::string_view text = check_text(L, 1);
  const std::string name = luaL_optstring(L, 2, "=(loadstring)");
  if (load_text_chunk(L, text, name) != 0) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  return 1;
}

// require(name): lib/<name>.lua of the hooks directory, run once and cached.
int safe_require(lua_State* L) {
  const std::string name(check_text(L, 1));
  lua_getfield(L, LUA_REGISTRYINDEX, kLoadedKey);
  lua_getfield(L, -1, name.c_str());
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  const StateContext& context = context_of(L);
  const auto found = context.files->modules.find(name);
  if (found == context.files->modules.end()) {
    return luaL_error(L,
                      "module '%s' not found (require loads lib/<name>.lua of the hooks "
                      "directory only)",
                      name.c_str());
  }
  if (load_text_chunk(L, found->second, "@lib/" + name + ".lua") != 0) return lua_error(L);
  lua_pushstring(L, name.c_str());
  lua_call(L, 1, 1);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, name.c_str());
  return 1;
}

int safe_print(lua_State* L) {
  spdlog::info("hooks: {}: {}", where(L), log_line(L));
  return 0;
}

// collectgarbage("count" | "collect"), nothing else (no "stop").
int safe_collectgarbage(lua_State* L) {
  const std::string_view option = luaL_optstring(L, 1, "collect");
  if (option == "count") {
    lua_pushnumber(L, lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
    return 1;
  }
  if (option == "collect") {
    lua_gc(L, LUA_GCCOLLECT, 0);
    lua_pushinteger(L, 0);
    return 1;
  }
  return luaL_error(L, "collectgarbage: only \"count\" and \"collect\" are allowed");
}

void open_library(lua_State* L, lua_CFunction open, const char* name) {
  lua_pushcfunction(L, open);
  lua_pushstring(L, name);
  lua_call(L, 1, 0);
}

void set_nil(lua_State* L, int table, const char* name) {
  lua_pushnil(L);
  lua_setfield(L, table, name);
}

// The Lua side of the service functions: turns (false, error) into an error raised at the
// script's call.
constexpr const char* kPrelude = R"lua(
local service = basalt._service
basalt._service = nil
local function call(...)
  local ok, answer = service(...)
  if not ok then error(answer, 3) end
  return answer
end
basalt.records = {
  find = function(collection, id, options) return call("find", collection, id, options, options) end,
  list = function(collection, options) return call("list", collection, nil, options, options) end,
  create = function(collection, body, options) return call("create", collection, nil, body, options) end,
  update = function(collection, id, body, options) return call("update", collection, id, body, options) end,
  delete = function(collection, id, options) return call("delete", collection, id, nil, options) end,
}
basalt.events = {
  publish = function(type, data) return call("publish", type, nil, data, nil) end,
}
basalt.http = {
  request = function(request) return call("http", "", nil, request, nil) end,
}
basalt.sql = function(query, ...)
  return call("sql", query, nil, basalt.json.array({...}), nil)
end
)lua";

}  // namespace

std::string_view check_text(lua_State* L, int index) {
  std::size_t size = 0;
  const char* text = luaL_checklstring(L, index, &size);
  return {text, size};
}

std::string where(lua_State* L) {
  luaL_where(L, 1);
  std::string text = lua_tostring(L, -1);
  lua_pop(L, 1);
  while (!text.empty() && (text.back() == ' ' || text.back() == ':')) text.pop_back();
  return text;
}

void set_function(lua_State* L, const char* name, lua_CFunction function) {
  lua_pushcfunction(L, function);
  lua_setfield(L, -2, name);
}

StateContext& context_of(lua_State* L) {
  lua_getfield(L, LUA_REGISTRYINDEX, kContextKey);
  auto* context = static_cast<StateContext*>(lua_touserdata(L, -1));
  lua_pop(L, 1);
  return *context;
}

int load_text_chunk(lua_State* L, std::string_view source, const std::string& chunk_name) {
  if (!source.empty() && source.front() == '\x1b') {
    lua_pushfstring(L, "%s: binary (bytecode) chunks are refused", chunk_name.c_str());
    return LUA_ERRSYNTAX;
  }
  return luaL_loadbuffer(L, source.data(), source.size(), chunk_name.c_str());
}

void push_registered_function(lua_State* L, int index) {
  lua_getfield(L, LUA_REGISTRYINDEX, kFunctionsKey);
  lua_rawgeti(L, -1, index);
  lua_remove(L, -2);
}

bool read_script_error(lua_State* L, int index, int& status, std::string& message,
                       json::object& data) {
  if (!lua_istable(L, index)) return false;
  if (index < 0) index = lua_gettop(L) + index + 1;
  lua_getfield(L, index, kErrorMarker);
  const bool marked = lua_toboolean(L, -1);
  lua_pop(L, 1);
  if (!marked) return false;
  lua_getfield(L, index, "status");
  status = static_cast<int>(lua_tointeger(L, -1));
  lua_pop(L, 1);
  lua_getfield(L, index, "message");
  if (const char* text = lua_tostring(L, -1)) message = text;
  lua_pop(L, 1);
  lua_getfield(L, index, "data");
  if (lua_istable(L, -1)) {
    json::value value = to_json(L, -1);
    if (value.is_object()) data = std::move(value.get_object());
  }
  lua_pop(L, 1);
  return true;
}

void install_library(lua_State* L, StateContext& context) {
  lua_pushlightuserdata(L, &context);
  lua_setfield(L, LUA_REGISTRYINDEX, kContextKey);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kFunctionsKey);
  lua_newtable(L);
  lua_setfield(L, LUA_REGISTRYINDEX, kLoadedKey);
  install_json_support(L);

  // Only these libraries are opened: no io, debug, package, ffi or jit.
  open_library(L, luaopen_base, "");
  open_library(L, luaopen_string, LUA_STRLIBNAME);
  open_library(L, luaopen_table, LUA_TABLIBNAME);
  open_library(L, luaopen_math, LUA_MATHLIBNAME);
  open_library(L, luaopen_bit, LUA_BITLIBNAME);
  open_library(L, luaopen_os, LUA_OSLIBNAME);

  lua_pushvalue(L, LUA_GLOBALSINDEX);
  const int globals = lua_gettop(L);
  for (const char* name : {"dofile", "loadfile", "module", "gcinfo", "newproxy"}) {
    set_nil(L, globals, name);
  }
  set_function(L, "load", safe_loadstring);
  set_function(L, "loadstring", safe_loadstring);
  set_function(L, "require", safe_require);
  set_function(L, "print", safe_print);
  set_function(L, "collectgarbage", safe_collectgarbage);
  // os: time, clock and date only.
  lua_getfield(L, globals, "os");
  const int full_os = lua_gettop(L);
  lua_newtable(L);
  for (const char* name : {"time", "clock", "date", "difftime"}) {
    lua_getfield(L, full_os, name);
    lua_setfield(L, -2, name);
  }
  lua_setfield(L, globals, "os");
  lua_pop(L, 1);
  lua_getfield(L, globals, "string");
  set_nil(L, lua_gettop(L), "dump");
  lua_pop(L, 1);
  // The loaded-library table, in case the base library left one visible.
  set_nil(L, globals, "package");
  set_nil(L, globals, "jit");

  lua_newtable(L);  // basalt
  set_function(L, "on", basalt_on);
  set_function(L, "route", basalt_route);
  set_function(L, "cron", basalt_cron);
  set_function(L, "middleware", basalt_middleware);
  set_function(L, "error", basalt_error);
  set_function(L, "_service", basalt_service);
  install_helpers(L);
  lua_setfield(L, globals, "basalt");
  lua_pop(L, 1);  // globals

  if (luaL_loadbuffer(L, kPrelude, std::char_traits<char>::length(kPrelude), "=basalt") != 0) {
    lua_error(L);
  }
  lua_call(L, 0, 0);
}

}  // namespace basalt::scripting
