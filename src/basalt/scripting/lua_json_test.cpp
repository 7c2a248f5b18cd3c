// json_equals (lua_json.hpp): the in-place comparison that lets a before-hook that changed
// nothing skip the conversion back. Its one promise: true only when to_json would give an
// equal value. Checked against to_json over values built in Lua and values pushed from JSON.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <memory>

#include "basalt/scripting/lua_json.hpp"

extern "C" {
#include <lauxlib.h>
#include <lualib.h>
}

namespace basalt::scripting {
namespace {

namespace json = boost::json;

class LuaJsonTest : public ::testing::Test {
 protected:
  LuaJsonTest() : L(luaL_newstate()) {
    luaL_openlibs(L);
    install_json_support(L);
    push_json_null(L);
    lua_setglobal(L, "null");
    push_array_marker(L);
    lua_setglobal(L, "array_marker");
  }
  ~LuaJsonTest() override { lua_close(L); }

  // Evaluates `expression` in Lua and leaves it on the stack.
  void push_lua(const std::string& expression) {
    ASSERT_EQ(luaL_dostring(L, ("return " + expression).c_str()), 0) << lua_tostring(L, -1);
  }

  // json_equals(value of `expression`, `text`), checked against to_json of the same value.
  bool equals(const std::string& expression, const std::string& text) {
    push_lua(expression);
    const json::value expected = json::parse(text);
    const bool equal = json_equals(L, -1, expected);
    const bool converted_equal = to_json(L, -1) == expected;
    lua_pop(L, 1);
    EXPECT_TRUE(!equal || converted_equal) << expression << " vs " << text;
    return equal;
  }

  lua_State* L;
};

TEST_F(LuaJsonTest, AgreesWithToJsonOnScalars) {
  EXPECT_TRUE(equals("'text'", R"("text")"));
  EXPECT_FALSE(equals("'text'", R"("other")"));
  EXPECT_FALSE(equals("'5'", "5"));
  EXPECT_FALSE(equals("5", R"("5")"));
  EXPECT_TRUE(equals("7", "7"));
  EXPECT_TRUE(equals("2.5", "2.5"));
  EXPECT_FALSE(equals("7", "8"));
  EXPECT_TRUE(equals("true", "true"));
  EXPECT_FALSE(equals("false", "true"));
  EXPECT_TRUE(equals("nil", "null"));
  EXPECT_TRUE(equals("null", "null"));
  EXPECT_FALSE(equals("false", "null"));
}

TEST_F(LuaJsonTest, AgreesWithToJsonOnTables) {
  EXPECT_TRUE(equals("{a = 1, b = 'x'}", R"({"a":1,"b":"x"})"));
  EXPECT_FALSE(equals("{a = 1, b = 'x', c = true}", R"({"a":1,"b":"x"})"));
  EXPECT_FALSE(equals("{a = 1}", R"({"a":1,"b":"x"})"));
  EXPECT_FALSE(equals("{a = 2, b = 'x'}", R"({"a":1,"b":"x"})"));
  EXPECT_TRUE(equals("{a = {b = {1, 2, {c = null}}}}", R"({"a":{"b":[1,2,{"c":null}]}})"));
  EXPECT_FALSE(equals("{a = {b = {1, 2, {c = 3}}}}", R"({"a":{"b":[1,2,{"c":null}]}})"));
  EXPECT_TRUE(equals("{}", "{}"));
  EXPECT_FALSE(equals("{}", "[]"));
  EXPECT_TRUE(equals("setmetatable({}, array_marker)", "[]"));
  EXPECT_FALSE(equals("setmetatable({}, array_marker)", "{}"));
  EXPECT_FALSE(equals("{1, 2}", R"({"1":1,"2":2})"));
  EXPECT_FALSE(equals("{1, 2, 3}", "[1,2]"));
  EXPECT_FALSE(equals("{[1] = 'a', x = 'b'}", "[\"a\"]"));
  EXPECT_FALSE(equals("'x'", R"({"a":1})"));
}

TEST_F(LuaJsonTest, WhatWasPushedComparesEqualUntilItIsChanged) {
  const json::value record = json::parse(
      R"({"title":"A post","views":7,"score":2.5,"tags":["a","b"],"meta":{"x":null,"y":[]},)"
      R"("draft":false,"empty":{}})");
  push_json(L, record);
  EXPECT_TRUE(json_equals(L, -1, record));
  lua_setglobal(L, "r");
  push_lua("(function() r.meta.y[1] = 'z'; return r end)()");
  EXPECT_FALSE(json_equals(L, -1, record));
  lua_pop(L, 1);
  push_lua("(function() r.meta.y[1] = nil; return r end)()");
  EXPECT_TRUE(json_equals(L, -1, record));
  lua_pop(L, 1);
  push_lua("(function() r.views = nil; return r end)()");
  EXPECT_FALSE(json_equals(L, -1, record));
  lua_pop(L, 1);
}

TEST_F(LuaJsonTest, NestingPastTheLimitIsNeverEqual) {
  std::string deep = "1";
  std::string deep_json = "1";
  for (int i = 0; i <= kMaxJsonDepth + 1; ++i) {
    deep = "{" + deep + "}";
    deep_json = "[" + deep_json + "]";
  }
  push_lua(deep);
  EXPECT_FALSE(json_equals(L, -1, json::parse(deep_json, {}, {.max_depth = 1000})));
  lua_pop(L, 1);
}

}  // namespace
}  // namespace basalt::scripting
