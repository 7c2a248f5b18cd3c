// The App builder's registration checks (extension/app.hpp): what it refuses at once, before
// any server starts. Hooks, routes and crons at work are tested end to end through the example
// program (tests/e2e/extension_example.test.mjs); here only a start that fails.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "basalt/extension/app.hpp"

namespace bx = basalt::extension;
namespace {

bx::Task<void> no_op_route(bx::RouteRequest&, bx::RouteResponse&) {
  co_return;
}
bx::Task<void> no_op_cron(bx::CronContext&) {
  co_return;
}
bx::Task<void> no_op_hook(bx::RecordEvent&) {
  co_return;
}

struct AppTest : ::testing::Test {
  char name[8] = "example";
  char* argv[2] = {name, nullptr};
  bx::App app{1, argv};
};

TEST_F(AppTest, RefusesRouteMethodsTheRouterDoesNotServe) {
  EXPECT_THROW(app.route("OPTIONS", "/api/x", bx::RouteAuth::kGuest, no_op_route),
               std::invalid_argument);
  EXPECT_THROW(app.route("get", "/api/x", bx::RouteAuth::kGuest, no_op_route),
               std::invalid_argument);
  EXPECT_THROW(app.route("GET", "api/x", bx::RouteAuth::kGuest, no_op_route),
               std::invalid_argument);
  EXPECT_THROW(app.route("GET", "/api/x", bx::RouteAuth::kGuest, nullptr), std::invalid_argument);
  EXPECT_NO_THROW(app.route("PATCH", "/api/x/{id}", bx::RouteAuth::kUser, no_op_route));
}

TEST_F(AppTest, RefusesBadCronIdsAndExpressions) {
  EXPECT_THROW(app.cron("__pbMine__", "* * * * *", no_op_cron), std::invalid_argument);
  EXPECT_THROW(app.cron("", "* * * * *", no_op_cron), std::invalid_argument);
  EXPECT_THROW(app.cron("report", "61 * * * *", no_op_cron), std::invalid_argument);
  EXPECT_THROW(app.cron("report", "* * * *", no_op_cron), std::invalid_argument);
  EXPECT_NO_THROW(app.cron("report", "*/5 * * * *", no_op_cron));
  EXPECT_THROW(app.cron("report", "0 * * * *", no_op_cron), std::invalid_argument);  // twice
}

TEST_F(AppTest, RefusesEmptyHooks) {
  EXPECT_THROW(app.on_record_create("posts", bx::When::kBefore, nullptr), std::invalid_argument);
  EXPECT_THROW(app.on_record_delete("", bx::When::kAfter, no_op_hook), std::invalid_argument);
  EXPECT_NO_THROW(app.on_record_update("*", bx::When::kBefore, no_op_hook));
}

TEST(ExtensionError, CarriesStatusAndFieldErrorsAndRefusesNonErrorStatuses) {
  bx::Error error(422, "Nope.");
  error.field("title", "too_short", "At least 3 characters.");
  EXPECT_EQ(error.status(), 422);
  EXPECT_STREQ(error.what(), "Nope.");
  ASSERT_EQ(error.fields().size(), 1u);
  EXPECT_EQ(error.fields()[0].code, "too_short");
  EXPECT_THROW(bx::Error(200, "fine"), std::invalid_argument);
  EXPECT_THROW(bx::Error(600, "beyond"), std::invalid_argument);
}

// `serve` in a fresh data directory with one route a built-in route would answer: the start
// fails (exit code 1, "startup failed: extension route ... clashes with a built-in route")
// before anything is served.
int serve_with_route(std::string_view method, const std::string& path) {
  char pattern[] = "/tmp/basalt-extension-test-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  EXPECT_NE(dir, nullptr);
  std::string args[] = {"example", "serve", "--http", "127.0.0.1:0", "--dir", dir};
  char* argv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data(),
                  args[4].data(), args[5].data(), nullptr};
  bx::App app(6, argv);
  app.route(method, path, bx::RouteAuth::kGuest, no_op_route);
  const int code = app.run();
  std::filesystem::remove_all(dir);
  return code;
}

TEST(AppRun, ARouteABuiltInRouteWouldAnswerFailsTheStart) {
  EXPECT_EQ(serve_with_route("GET", "/api/health"), 1);           // same method and path
  EXPECT_EQ(serve_with_route("DELETE", "/api/settings"), 1);      // the built-in path's 405
  EXPECT_EQ(serve_with_route("GET", "/api/collections/{x}"), 1);  // same template
}

TEST(AppRun, RegisteringAfterRunIsRefused) {
  char pattern[] = "/tmp/basalt-extension-test-XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  ASSERT_NE(dir, nullptr);
  std::string args[] = {"example", "serve", "--http", "127.0.0.1:0", "--dir", dir};
  char* argv[] = {args[0].data(), args[1].data(), args[2].data(), args[3].data(),
                  args[4].data(), args[5].data(), nullptr};
  bx::App app(6, argv);
  app.route("GET", "/api/health", bx::RouteAuth::kGuest, no_op_route);
  ASSERT_EQ(app.run(), 1);
  EXPECT_THROW(app.cron("late", "* * * * *", no_op_cron), std::logic_error);
  std::filesystem::remove_all(dir);
}

}  // namespace
