// Generations of the hooks directory (docs/hooks.md, "Hot reload"): a load that fails keeps
// the previous generation, with the file and line in the error; the watcher reloads on a
// change; hooks and routes are found by event and collection.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "basalt/core/api_error.hpp"
#include "basalt/db/testing/sync_wait.hpp"
#include "basalt/db/testing/temp_dir.hpp"
#include "basalt/scripting/hook_runner.hpp"
#include "basalt/scripting/hooks_watcher.hpp"
#include "basalt/scripting/script_engine.hpp"

namespace basalt::scripting {
namespace {

namespace json = boost::json;
using db::testing::sync_wait;

void write_script(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
}

class ScriptEngineTest : public ::testing::Test {
 protected:
  ScriptEngineTest()
      : engine_(EngineOptions{dir_.path(), LuaLimits{}}, ScriptHost{}, ScriptServices{}) {}

  // Route 0's answer in the current generation.
  json::value route_answer() {
    auto generation = engine_.current();
    const records::Caller guest;
    return sync_wait(engine_.call(generation, generation->registrations.routes.at(0).function,
                                  json::object(), guest, "test"))
        .result;
  }

  db::testing::TempDir dir_;
  ScriptEngine engine_;
};

TEST_F(ScriptEngineTest, LoadsScriptsInNameOrder) {
  write_script(dir_.path() / "20_b.lua", "order = (order or '') .. 'b'");
  write_script(dir_.path() / "10_a.lua", "order = (order or '') .. 'a'");
  write_script(dir_.path() / "30_route.lua",
               "basalt.route('GET', '/api/order', function() return order end)");
  write_script(dir_.path() / "notes.txt", "not a script");
  ASSERT_TRUE(engine_.reload());
  EXPECT_EQ(route_answer(), "ab");
}

TEST_F(ScriptEngineTest, AFailedLoadKeepsThePreviousGenerationAndSaysWhere) {
  write_script(dir_.path() / "main.lua",
               "basalt.route('GET', '/api/v', function() return 'one' end)");
  ASSERT_TRUE(engine_.reload());
  const auto first = engine_.current();

  write_script(dir_.path() / "main.lua",
               "basalt.route('GET', '/api/v', function() return 'two' end)\nlocal = 3\n");
  std::string error;
  EXPECT_FALSE(engine_.reload(&error));
  EXPECT_NE(error.find("main.lua:2:"), std::string::npos) << error;
  EXPECT_EQ(engine_.current(), first);
  EXPECT_EQ(route_answer(), "one");

  write_script(dir_.path() / "main.lua", "error('at load')");
  EXPECT_FALSE(engine_.reload(&error));
  EXPECT_NE(error.find("main.lua:1: at load"), std::string::npos) << error;
  EXPECT_EQ(route_answer(), "one");

  write_script(dir_.path() / "main.lua",
               "basalt.route('GET', '/api/v', function() return 'three' end)");
  ASSERT_TRUE(engine_.reload());
  EXPECT_EQ(route_answer(), "three");
}

TEST_F(ScriptEngineTest, HooksAreFoundByEventAndCollection) {
  write_script(dir_.path() / "hooks.lua",
               "basalt.on('beforeCreate', 'posts', function(e) end)\n"
               "basalt.on('afterList', function(e) end)\n");
  ASSERT_TRUE(engine_.reload());
  EXPECT_TRUE(engine_.wants(records::HookEvent::kBeforeCreate, "posts"));
  EXPECT_FALSE(engine_.wants(records::HookEvent::kBeforeCreate, "users"));
  EXPECT_FALSE(engine_.wants(records::HookEvent::kAfterCreate, "posts"));
  EXPECT_TRUE(engine_.wants(records::HookEvent::kAfterList, "anything"));
  std::string error;
  write_script(dir_.path() / "hooks.lua", "basalt.on('beforeSomething', function(e) end)");
  EXPECT_FALSE(engine_.reload(&error));
  EXPECT_NE(error.find("unknown event"), std::string::npos) << error;
}

TEST_F(ScriptEngineTest, CronJobsAreCollected) {
  write_script(dir_.path() / "cron.lua", "basalt.cron('cleanup', '*/5 * * * *', function() end)");
  ASSERT_TRUE(engine_.reload());
  ASSERT_EQ(engine_.current()->registrations.crons.size(), 1u);
  EXPECT_EQ(engine_.current()->registrations.crons[0].expression, "*/5 * * * *");
}

TEST_F(ScriptEngineTest, TheWatcherReloadsAfterAChange) {
  write_script(dir_.path() / "main.lua",
               "basalt.route('GET', '/api/v', function() return 'before' end)");
  ASSERT_TRUE(engine_.reload());
  std::mutex mutex;
  std::condition_variable reloaded;
  int reloads = 0;
  bool last = false;
  HooksWatcher watcher(engine_, std::chrono::milliseconds(20), [&](bool loaded) {
    std::lock_guard lock(mutex);
    ++reloads;
    last = loaded;
    reloaded.notify_all();
  });
  ASSERT_TRUE(watcher.start());
  write_script(dir_.path() / "main.lua",
               "basalt.route('GET', '/api/v', function() return 'after' end)");
  {
    std::unique_lock lock(mutex);
    // A bound for a broken watcher, not a timing assertion.
    ASSERT_TRUE(reloaded.wait_for(lock, std::chrono::seconds(30), [&] { return reloads > 0; }));
    EXPECT_TRUE(last);
  }
  EXPECT_EQ(route_answer(), "after");
  watcher.stop();
}

TEST_F(ScriptEngineTest, MiddlewareIsFoundByMethodAndPath) {
  EXPECT_FALSE(engine_.wants_middleware(http::Method::kGet, "/api/health"));
  write_script(dir_.path() / "mw.lua", R"lua(
basalt.middleware(function() end)
basalt.middleware(function() end, { paths = { "/api/collections/*", "/x" }, methods = "POST" })
)lua");
  ASSERT_TRUE(engine_.reload());
  const auto& middleware = engine_.current()->registrations.middleware;
  ASSERT_EQ(middleware.size(), 2u);
  EXPECT_EQ(middleware[0].paths, std::vector<std::string>{"/api/*"});  // the default
  EXPECT_TRUE(middleware[1].matches(http::Method::kPost, "/api/collections/a/records"));
  EXPECT_TRUE(middleware[1].matches(http::Method::kPost, "/x"));
  EXPECT_FALSE(middleware[1].matches(http::Method::kPost, "/x/y"));
  EXPECT_FALSE(middleware[1].matches(http::Method::kGet, "/x"));
  EXPECT_TRUE(engine_.wants_middleware(http::Method::kGet, "/api/health"));
  EXPECT_FALSE(engine_.wants_middleware(http::Method::kGet, "/_/"));

  for (const char* bad : {"basalt.middleware(function() end, { paths = 'api/*' })",
                          "basalt.middleware(function() end, { paths = '/a*b' })",
                          "basalt.middleware(function() end, { methods = 'BREW' })"}) {
    write_script(dir_.path() / "mw.lua", bad);
    std::string error;
    EXPECT_FALSE(engine_.reload(&error)) << bad;
    EXPECT_NE(error.find("basalt.middleware: "), std::string::npos) << error;
  }
  write_script(dir_.path() / "mw.lua", "basalt.middleware('not a function')");
  EXPECT_FALSE(engine_.reload());
}

TEST_F(ScriptEngineTest, AnErrorWithoutDataIsThatApiError) {
  // basalt.error(status, message) with no data table once made a table holding itself (a 500).
  write_script(dir_.path() / "err.lua",
               "basalt.route('GET', '/api/e', function() error(basalt.error(403, 'No.')) end)");
  ASSERT_TRUE(engine_.reload());
  try {
    route_answer();
    FAIL() << "no error";
  } catch (const core::ApiError& error) {
    EXPECT_EQ(error.status(), 403);
    EXPECT_STREQ(error.what(), "No.");
    EXPECT_TRUE(error.data().empty());
  }
}

TEST_F(ScriptEngineTest, SignInHooksRegisterByAuthCollection) {
  write_script(dir_.path() / "auth.lua", R"lua(
basalt.on("beforeSignIn", "members", function(e) end)
basalt.on("afterAuth", function(e) end)
)lua");
  ASSERT_TRUE(engine_.reload());
  EXPECT_TRUE(engine_.wants_auth_hook(AuthHookEvent::kBeforeSignIn, "members"));
  EXPECT_FALSE(engine_.wants_auth_hook(AuthHookEvent::kBeforeSignIn, "users"));
  EXPECT_TRUE(engine_.wants_auth_hook(AuthHookEvent::kAfterAuth, "users"));
  EXPECT_FALSE(engine_.wants(records::HookEvent::kBeforeCreate, "members"));
}

TEST_F(ScriptEngineTest, PublishingAndHttpNeedTheirServices) {
  write_script(dir_.path() / "svc.lua", R"lua(
basalt.route("GET", "/api/p", function()
  local ok, err = pcall(basalt.events.publish, "order.paid", { n = 1 })
  local ok2, err2 = pcall(basalt.http.request, { url = "ftp://x" })
  return { json = { ok = ok, status = err.status, ok2 = ok2, status2 = err2.status } }
end)
)lua");
  ASSERT_TRUE(engine_.reload());
  // No outbox in these services: 503; a bad URL is refused before any transfer: 400. (The
  // route_answer helper reads the function's value, so `json = ` is part of it.)
  EXPECT_EQ(route_answer(),
            json::parse(R"({"json":{"ok":false,"status":503,"ok2":false,"status2":400}})"));
}

}  // namespace
}  // namespace basalt::scripting

namespace basalt::scripting {
namespace {

// What a before-hook leaves in e.record is what the write goes on with: changed, unchanged
// (no conversion back), removed or null (as before), or malformed (a 500).
class HookRunnerTest : public ScriptEngineTest {
 protected:
  json::object before_create(const std::string& body, const json::object& record) {
    if (body != loaded_) {  // the same body runs again in the same state (its globals kept)
      write_script(dir_.path() / "hooks.lua",
                   "basalt.on('beforeCreate', 'posts', function(e)\n" + body + "\nend)\n");
      EXPECT_TRUE(engine_.reload());
      loaded_ = body;
    }
    schema::Collection posts;
    posts.name = "posts";
    const records::Caller guest;
    const query::RequestInfo request;
    json::object values = record;
    const records::WriteHookContext context{posts, guest, "", values, nullptr, request};
    HookRunner runner(engine_);
    sync_wait(runner.before_write(records::HookEvent::kBeforeCreate, context));
    return values;
  }

  std::string loaded_;
};

TEST_F(HookRunnerTest, ABeforeHookShapesTheRecordItIsGiven) {
  const json::object record = json::parse(R"({"title":"t","tags":["a"],"n":1})").as_object();
  EXPECT_EQ(before_create("", record), record);
  EXPECT_EQ(before_create("e.record.title = e.record.title", record), record);
  EXPECT_EQ(before_create("e.record.tags[2] = 'b'; e.record.n = nil", record),
            json::parse(R"({"title":"t","tags":["a","b"]})"));
  EXPECT_EQ(before_create("e.record.slug = e.collection .. '-' .. e.record.title", record),
            json::parse(R"({"title":"t","tags":["a"],"n":1,"slug":"posts-t"})"));
  EXPECT_EQ(before_create("e.record = nil", record), record);
  EXPECT_EQ(before_create("e.record = basalt.json.null", record), record);
  EXPECT_EQ(before_create("e.record = {title = 'new'}", record), json::parse(R"({"title":"new"})"));
  EXPECT_EQ(before_create("e.auth = 5; e.other = function() end", record), record);
}

TEST_F(HookRunnerTest, RecordAuthAndOriginalAreBuiltOnTheirFirstRead) {
  const json::object record{{"title", "t"}};
  // Read, then removed: stays removed (not built again), and the write keeps its record.
  EXPECT_EQ(before_create("local r = e.record; e.record = nil\n"
                          "if e.record ~= nil then error('built again') end",
                          record),
            record);
  // basalt.json.encode sees every field, read or not.
  const json::object encoded = before_create("e.record.copy = basalt.json.encode(e)", record);
  EXPECT_EQ(json::parse(encoded.at("copy").as_string()),
            json::parse(R"({"auth":null,"collection":"posts","id":"","record":{"title":"t"}})"));
  // An event kept past its call reads nil for what it never read; nothing else breaks.
  EXPECT_EQ(
      before_create("if kept then e.record.late = tostring(kept.record) end\nkept = e", record),
      record);
  const json::object late =
      before_create("if kept then e.record.late = tostring(kept.record) end\nkept = e", record);
  EXPECT_EQ(late, json::parse(R"({"title":"t","late":"nil"})")) << json::serialize(late);
}

TEST_F(HookRunnerTest, ARecordThatIsNoObjectIsA500) {
  const json::object record{{"title", "t"}};
  for (const std::string body : {"e.record = 5", "e.record = {1, 2}", "e.record.f = print"}) {
    try {
      before_create(body, record);
      ADD_FAILURE() << body << ": no error";
    } catch (const core::ApiError& error) {
      EXPECT_EQ(error.status(), 500) << body;
    }
  }
}

}  // namespace
}  // namespace basalt::scripting
