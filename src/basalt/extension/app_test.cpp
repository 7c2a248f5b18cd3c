// The App builder's registration checks (extension/app.hpp): what it refuses at once, before
// any server starts. Hooks, routes and crons at work are tested end to end through the example
// program (tests/e2e/extension_example.test.mjs).
#include <gtest/gtest.h>

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

}  // namespace
