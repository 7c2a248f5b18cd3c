// ScenarioServer: the real `basalt serve` for one scenario file, on 127.0.0.1:0 in a fresh
// temporary data directory, with one superuser created by the CLI (`basalt superuser upsert`)
// before the start and signed in over HTTP. The directory is removed by the destructor.
//
// On PostgreSQL (a `postgres_url` given: a server URL, e.g. BASALT_TEST_POSTGRES_URL) the data
// goes to a fresh database of its own on that server (`--db`), created before the CLI runs
// and dropped by the destructor after the server stopped.
//
// Not thread safe; one per scenario file.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_client.hpp"
#include "server_process.hpp"

namespace basalt::scenarios {

class ScenarioServer {
 public:
  // Throws std::runtime_error when the CLI, the server start or the superuser sign-in fails.
  explicit ScenarioServer(const char* postgres_url = nullptr);
  ~ScenarioServer();
  ScenarioServer(const ScenarioServer&) = delete;
  ScenarioServer& operator=(const ScenarioServer&) = delete;

  const std::string& superuser_token() const noexcept { return superuser_token_; }

  // One request on a fresh connection. `target` is sent as is (already percent-encoded);
  // `token` goes into `Authorization` unless empty; a `body` is sent as application/json.
  // Throws std::runtime_error when no complete response came back.
  testing::HttpResponse send(std::string_view method, std::string_view target,
                             std::string_view token,
                             std::optional<std::string_view> body = std::nullopt) const;

  // POST /api/collections/{collection}/auth-with-password; returns the token or throws
  // std::runtime_error with the response.
  std::string sign_in(std::string_view collection, std::string_view identity,
                      std::string_view password) const;

 private:
  // The `--dir` (and `--db`) arguments of the CLI and the server.
  std::vector<std::string> storage_args() const;

  std::string root_;
  std::string postgres_url_;  // the server's URL as given (its own database: the admin one)
  std::string database_;      // the scenario's database on it; empty on SQLite
  std::string database_url_;
  std::unique_ptr<testing::ServerProcess> process_;
  std::string superuser_token_;
};

}  // namespace basalt::scenarios
