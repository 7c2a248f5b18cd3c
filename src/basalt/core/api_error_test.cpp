#include "basalt/core/api_error.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace basalt::core {
namespace {

TEST(ApiErrorTest, DefaultMessagesFollowTheContract) {
  EXPECT_EQ(default_error_message(400), "Something went wrong while processing your request.");
  EXPECT_EQ(default_error_message(401), "Missing or invalid authentication.");
  EXPECT_EQ(default_error_message(403), "You are not allowed to perform this request.");
  EXPECT_EQ(default_error_message(404), "The requested resource wasn't found.");
  EXPECT_EQ(default_error_message(429), "Too Many Requests.");
  EXPECT_EQ(default_error_message(500), "Something went wrong while processing your request.");
}

TEST(ApiErrorTest, UnlistedStatusFallsBackToItsClass) {
  EXPECT_EQ(default_error_message(418), default_error_message(400));
  EXPECT_EQ(default_error_message(502), default_error_message(500));
}

TEST(ApiErrorTest, ErrorJsonHasStatusMessageAndObjectData) {
  auto body = boost::json::parse(ApiError::not_found().to_json()).as_object();
  EXPECT_EQ(body.at("status").as_int64(), 404);
  EXPECT_EQ(body.at("message").as_string(), "The requested resource wasn't found.");
  EXPECT_TRUE(body.at("data").as_object().empty());
}

TEST(ApiErrorTest, ErrorJsonCarriesFieldErrors) {
  boost::json::object data{
      {"title", {{"code", "validation_required"}, {"message", "Cannot be blank."}}}};
  ApiError error = ApiError::bad_request("Failed to create record.", data);
  auto body = boost::json::parse(error.to_json()).as_object();
  EXPECT_EQ(body.at("status").as_int64(), 400);
  EXPECT_EQ(body.at("message").as_string(), "Failed to create record.");
  EXPECT_EQ(body.at("data").at("title").at("code").as_string(), "validation_required");
}

TEST(ApiErrorTest, MessageIsEscapedIntoValidJson) {
  std::string json = error_json(400, "bad \"quote\" and \\ and \n newline");
  auto body = boost::json::parse(json).as_object();
  EXPECT_EQ(body.at("message").as_string(), "bad \"quote\" and \\ and \n newline");
}

TEST(ApiErrorTest, KeysFollowPocketBaseOrder) {
  EXPECT_EQ(error_json(404, "Nope."), R"({"data":{},"message":"Nope.","status":404})");
}

}  // namespace
}  // namespace basalt::core
