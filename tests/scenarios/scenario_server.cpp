#include "scenario_server.hpp"

#include <libpq-fe.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
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

// Runs one statement on the PostgreSQL server of `url` (CREATE/DROP DATABASE: outside any
// transaction, so each on a session of its own). Throws std::runtime_error with the server's
// message.
void run_on_postgres(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(conn) != CONNECTION_OK) {
    error = PQerrorMessage(conn);
  } else {
    PGresult* result = PQexec(conn, sql.c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
    PQclear(result);
  }
  PQfinish(conn);
  if (!error.empty()) throw std::runtime_error("PostgreSQL: " + error);
}

// `url` with its database (the path) replaced by `database`.
std::string with_database(const std::string& url, const std::string& database) {
  const std::size_t scheme = url.find("://");
  const std::size_t path = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const std::size_t query = url.find('?');
  const std::string head = url.substr(0, path == std::string::npos ? query : path);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  return head + "/" + database + tail;
}

}  // namespace

ScenarioServer::ScenarioServer(const char* postgres_url) {
  char pattern[] = "/tmp/basalt-scenario-XXXXXX";
  if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
  root_ = pattern;
  if (postgres_url != nullptr) {
    static std::atomic<unsigned> counter{0};
    postgres_url_ = postgres_url;
    database_ = "scenario_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    database_url_ = with_database(postgres_url_, database_);
    try {
      run_on_postgres(postgres_url_, "DROP DATABASE IF EXISTS \"" + database_ + "\" WITH (FORCE)");
      // FILE_COPY: a quarter of the server CPU of the default (tests/e2e/postgres_databases.mjs).
      run_on_postgres(postgres_url_, "CREATE DATABASE \"" + database_ + "\" STRATEGY FILE_COPY");
    } catch (...) {
      std::filesystem::remove_all(root_);
      throw;
    }
  }
  std::vector<std::string> upsert{"superuser", "upsert", std::string(kSuperuserEmail),
                                  std::string(kSuperuserPassword)};
  for (std::string& arg : storage_args()) upsert.push_back(std::move(arg));
  testing::CommandResult created = testing::run_basalt(upsert);
  if (created.exit_code != 0) {
    std::filesystem::remove_all(root_);
    throw std::runtime_error("basalt superuser upsert failed: " + created.err);
  }
  try {
    process_ = std::make_unique<testing::ServerProcess>(storage_args());
    superuser_token_ = sign_in("_superusers", kSuperuserEmail, kSuperuserPassword);
  } catch (...) {
    process_.reset();
    std::filesystem::remove_all(root_);
    throw;
  }
}

ScenarioServer::~ScenarioServer() {
  process_.reset();  // stops the server before its directory and database go
  std::error_code ignored;
  std::filesystem::remove_all(root_, ignored);
  if (!database_.empty()) {
    try {
      run_on_postgres(postgres_url_, "DROP DATABASE IF EXISTS \"" + database_ + "\" WITH (FORCE)");
    } catch (const std::exception&) {
      // the test server goes away with the run; nothing else to do in a destructor
    }
  }
}

std::vector<std::string> ScenarioServer::storage_args() const {
  std::vector<std::string> args{"--dir", root_ + "/data"};
  if (!database_url_.empty()) {
    args.push_back("--db");
    args.push_back(database_url_);
  }
  return args;
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
