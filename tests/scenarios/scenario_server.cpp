#include "scenario_server.hpp"

#include <stdlib.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <stdexcept>

#include "command.hpp"

namespace basalt::scenarios {
namespace {

namespace json = boost::json;

constexpr std::string_view kSuperuserEmail = "root@scenario.test";
constexpr std::string_view kSuperuserPassword = "scenario superuser password";

}  // namespace

ScenarioServer::ScenarioServer() {
  char pattern[] = "/tmp/basalt-scenario-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  root_ = pattern;
  const std::string dir = root_ + "/data";
  testing::CommandResult created =
      testing::run_basalt({"superuser", "upsert", std::string(kSuperuserEmail),
                           std::string(kSuperuserPassword), "--dir", dir});
  if (created.exit_code != 0) {
    std::filesystem::remove_all(root_);
    throw std::runtime_error("basalt superuser upsert failed: " + created.err);
  }
  try {
    process_ = std::make_unique<testing::ServerProcess>(std::vector<std::string>{"--dir", dir});
    superuser_token_ = sign_in("_superusers", kSuperuserEmail, kSuperuserPassword);
  } catch (...) {
    process_.reset();
    std::filesystem::remove_all(root_);
    throw;
  }
}

ScenarioServer::~ScenarioServer() {
  process_.reset();  // stops the server before its directory goes
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
}

testing::HttpResponse ScenarioServer::send(std::string_view method, std::string_view target,
                                           std::string_view token,
                                           std::optional<std::string_view> body) const {
  std::string raw = std::string(method) + " " + std::string(target) +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) raw += "Authorization: " + std::string(token) + "\r\n";
  if (body) raw += "Content-Type: application/json\r\n";
  const std::string_view payload = body.value_or(std::string_view());
  raw += "Content-Length: " + std::to_string(payload.size()) + "\r\n\r\n";
  raw += payload;
  std::optional<testing::HttpResponse> response = testing::request(process_->port(), raw);
  if (!response) {
    throw std::runtime_error("no response to " + std::string(method) + " " + std::string(target) +
                             "; server stderr:\n" + process_->stderr_text());
  }
  return std::move(*response);
}

std::string ScenarioServer::sign_in(std::string_view collection, std::string_view identity,
                                    std::string_view password) const {
  const std::string body =
      json::serialize(json::object{{"identity", identity}, {"password", password}});
  testing::HttpResponse response =
      send("POST", "/api/collections/" + std::string(collection) + "/auth-with-password", {}, body);
  if (response.status == 200) {
    json::value parsed = json::parse(response.body);
    if (const json::value* token = parsed.as_object().if_contains("token")) {
      if (token->is_string()) return std::string(token->get_string());
    }
  }
  throw std::runtime_error("sign-in to " + std::string(collection) + " as " +
                           std::string(identity) + " failed: " + std::to_string(response.status) +
                           " " + response.body);
}

}  // namespace basalt::scenarios
