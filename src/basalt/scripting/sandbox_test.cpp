// The sandbox and the limits of a script state (docs/hooks.md, "Sandbox" and "Limits"): each
// escape is refused, each bomb is stopped, and the same state answers the next call.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/scripting/script_state.hpp"

namespace basalt::scripting {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

// A state whose one script registers `body` as route 1's function `function(req) ... end`.
class SandboxTest : public ::testing::Test {
 protected:
  std::unique_ptr<ScriptState> state_with(const std::string& body) {
    auto files = std::make_shared<ScriptFiles>();
    files->scripts.push_back(
        {"main.lua", "basalt.route('GET', '/api/t', function(req)\n" + body + "\nend)\n"});
    files->modules["helper"] = "return { twice = function(x) return 2 * x end }";
    LuaLimits limits;
    limits.memory_bytes = std::size_t{16} << 20;
    limits.call_timeout = std::chrono::milliseconds(200);
    return std::make_unique<ScriptState>(files, limits, host_);
  }

  // The first result of route function 1, or the ApiError's status as {"status": n}.
  json::value run(ScriptState& state, json::value argument = json::object()) {
    const ServicePerformer perform =
        [](const ServiceRequest&) -> boost::asio::awaitable<json::value> {
      co_return json::value("served");
    };
    try {
      JsonArgument call_argument(std::move(argument));
      return sync_wait(state.call(1, call_argument, perform, {"test"}));
    } catch (const core::ApiError& error) {
      return json::object{{"status", error.status()}, {"message", error.what()}};
    }
  }

  int status_of(const std::string& body) {
    auto state = state_with(body);
    const json::value out = run(*state);
    const json::object* object = out.if_object();
    if (!object || !object->contains("status")) return 200;
    return static_cast<int>(object->at("status").as_int64());
  }

  ScriptHost host_;
};

TEST_F(SandboxTest, RefusesTheEscapes) {
  EXPECT_EQ(status_of("return io.open('/etc/passwd')"), 500);
  EXPECT_EQ(status_of("return os.execute('true')"), 500);
  EXPECT_EQ(status_of("return os.getenv('HOME')"), 500);
  EXPECT_EQ(status_of("return require('ffi')"), 500);
  EXPECT_EQ(status_of("return require('io')"), 500);
  EXPECT_EQ(status_of("return debug.sethook(print, 'l')"), 500);
  EXPECT_EQ(status_of("return dofile('/etc/passwd')"), 500);
  EXPECT_EQ(status_of("return loadfile('/etc/passwd')"), 500);
  EXPECT_EQ(status_of("return jit.on()"), 500);
  EXPECT_EQ(status_of("return package.loadlib('libc.so.6', 'system')"), 500);
  EXPECT_EQ(status_of("return string.dump(print)"), 500);
  EXPECT_EQ(status_of("return collectgarbage('stop')"), 500);
}

TEST_F(SandboxTest, LoadstringTakesTextButNeverBytecode) {
  auto state = state_with(
      "local f, err = loadstring('\\27LJ\\2 fake bytecode')\n"
      "local g = loadstring('return 40 + 2')\n"
      "return { refused = f == nil, why = err, text = g() }");
  const json::value out = run(*state);
  EXPECT_EQ(out.at("refused"), true);
  EXPECT_NE(std::string(out.at("why").as_string()).find("binary"), std::string::npos);
  EXPECT_EQ(out.at("text"), 42);
}

TEST_F(SandboxTest, RequireLoadsOnlyTheHooksLibrary) {
  EXPECT_EQ(run(*state_with("return require('helper').twice(21)")), 42);
  EXPECT_EQ(status_of("return require('../../etc/passwd')"), 500);
  EXPECT_EQ(status_of("return require('missing')"), 500);
}

TEST_F(SandboxTest, AllowedLibrariesWork) {
  const json::value out =
      run(*state_with("return { t = type(os.time()), s = string.format('%d-%s', 7, 'x'), "
                      "m = math.max(1, 5), b = bit.band(6, 3), j = basalt.json.encode({1, 2}) }"));
  EXPECT_EQ(out.at("t"), "number");
  EXPECT_EQ(out.at("s"), "7-x");
  EXPECT_EQ(out.at("m"), 5);
  EXPECT_EQ(out.at("b"), 2);
  EXPECT_EQ(out.at("j"), "[1,2]");
}

TEST_F(SandboxTest, AnInfiniteLoopEndsWithA500AndTheStateStaysUsable) {
  auto state = state_with(
      "if req.spin then while true do end end\n"
      "return 'fine'");
  const json::value stopped = run(*state, json::object{{"spin", true}});
  EXPECT_EQ(stopped.at("status"), 500);
  EXPECT_EQ(run(*state, json::object{{"spin", false}}), "fine");
}

TEST_F(SandboxTest, ALoopThatCatchesTheTimeoutIsStoppedAllTheSame) {
  auto state = state_with(
      "if req.spin then while true do pcall(function() while true do end end) end end\n"
      "return 'fine'");
  EXPECT_EQ(run(*state, json::object{{"spin", true}}).at("status"), 500);
  EXPECT_EQ(run(*state, json::object{{"spin", false}}), "fine");
}

TEST_F(SandboxTest, MemoryBombsAreStoppedAndTheMemoryComesBack) {
  auto state = state_with(
      "if req.bomb == 'rep' then return #string.rep('x', 1024 * 1024 * 1024) end\n"
      "if req.bomb == 'table' then local t = {} for i = 1, 1e9 do t[i] = i end end\n"
      "if req.bomb == 'concat' then local s = 'x' while true do s = s .. s end end\n"
      "return 'fine'");
  for (const char* bomb : {"rep", "table", "concat"}) {
    SCOPED_TRACE(bomb);
    EXPECT_EQ(run(*state, json::object{{"bomb", bomb}}).at("status"), 500);
    // A bomb reaches the 16 MiB cap; after the call what it held is collected. (What is left is
    // the state's own tables, 1-4 MiB depending on how far the string table grew.)
    EXPECT_LT(state->lua().used_bytes(), std::size_t{8} << 20);
    EXPECT_EQ(run(*state, json::object{{"bomb", "none"}}), "fine");
  }
}

TEST_F(SandboxTest, BasaltErrorBecomesThatApiError) {
  auto state = state_with("error(basalt.error(422, 'title is required', {title = 'missing'}))");
  const ServicePerformer perform =
      [](const ServiceRequest&) -> boost::asio::awaitable<json::value> { co_return nullptr; };
  try {
    JsonArgument argument(json::object{});
    sync_wait(state->call(1, argument, perform, {"test"}));
    FAIL() << "no error";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 422);
    EXPECT_STREQ(error.what(), "title is required");
    EXPECT_EQ(error.data().at("title"), "missing");
  }
}

TEST_F(SandboxTest, AHandMadeErrorTableWithAStatusOutside400To599IsA500) {
  EXPECT_EQ(status_of("error({__basalt_error = true, status = 200, message = 'fine?'})"), 500);
}

TEST_F(SandboxTest, ServiceCallsYieldToTheHostAndResume) {
  auto state = state_with(
      "local a = basalt.records.find('posts', 'abc')\n"
      "local ok, err = pcall(basalt.records.delete, 'posts', 'gone')\n"
      "return { a = a, ok = ok, status = err.status }");
  std::vector<std::string> seen;
  const ServicePerformer perform =
      [&seen](const ServiceRequest& request) -> boost::asio::awaitable<json::value> {
    seen.push_back(request.operation + ":" + request.collection + ":" + request.id);
    if (request.operation == "delete") throw core::ApiError::not_found();
    co_return json::object{{"id", request.id}};
  };
  JsonArgument argument(json::object{});
  const json::value out = sync_wait(state->call(1, argument, perform, {"test"}));
  EXPECT_EQ(out.at("a").at("id"), "abc");
  EXPECT_EQ(out.at("ok"), false);
  EXPECT_EQ(out.at("status"), 404);
  EXPECT_EQ(seen, (std::vector<std::string>{"find:posts:abc", "delete:posts:gone"}));
}

TEST_F(SandboxTest, ServiceCallsAreRefusedWhileAScriptLoads) {
  auto files = std::make_shared<ScriptFiles>();
  files->scripts.push_back({"load.lua", "basalt.records.find('posts', 'x')"});
  EXPECT_THROW(ScriptState(files, LuaLimits{}, host_), ScriptLoadError);
}

TEST_F(SandboxTest, LoadErrorsNameTheFileAndLine) {
  auto files = std::make_shared<ScriptFiles>();
  files->scripts.push_back({"10_ok.lua", "local x = 1\n"});
  files->scripts.push_back({"20_bad.lua", "local x = 1\nlocal y = = 2\n"});
  try {
    ScriptState state(files, LuaLimits{}, host_);
    FAIL() << "loaded";
  } catch (const ScriptLoadError& error) {
    EXPECT_NE(std::string(error.what()).find("20_bad.lua:2:"), std::string::npos) << error.what();
  }
}

TEST_F(SandboxTest, JsonRoundTripsArraysObjectsAndNull) {
  auto state = state_with("return req");
  const json::value in = json::parse(R"({"a":[],"b":{},"c":[1,2.5,"x",null],"d":null,"e":true})");
  const json::value out = run(*state, in);
  EXPECT_EQ(out, in) << json::serialize(out);
}

TEST_F(SandboxTest, CryptoHelpers) {
  const json::value out = run(
      *state_with("local token = basalt.crypto.jwt_sign({sub = 'u1', exp = os.time() + 60}, 'k')\n"
                  "local claims = basalt.crypto.jwt_verify(token, 'k')\n"
                  "local none, why = basalt.crypto.jwt_verify(token, 'other')\n"
                  "return { mac = basalt.crypto.hmac_sha256('key', 'The quick brown fox jumps over "
                  "the lazy dog'),"
                  " sub = claims.sub, refused = none == nil, why = why, hex = "
                  "#basalt.crypto.random_hex(16) }"));
  EXPECT_EQ(out.at("mac"), "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
  EXPECT_EQ(out.at("sub"), "u1");
  EXPECT_EQ(out.at("refused"), true);
  EXPECT_EQ(out.at("hex"), 32);
}

}  // namespace
}  // namespace basalt::scripting
