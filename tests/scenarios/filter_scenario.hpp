// FilterScenario: runs one tests/scenarios/filter/*.txt file (format in README.md) against a
// fresh SQLite database, and cross-checks every evaluable filter with the in-memory evaluator.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace basalt::db::testing {
class LibpqSession;
}

namespace basalt::scenarios {

struct ScenarioFailure {
  int line = 0;
  std::string message;
};

struct ScenarioResult {
  int cases = 0;
  std::vector<ScenarioFailure> failures;
};

// Never throws for a failing case (it becomes a ScenarioFailure); throws std::runtime_error
// for a file that cannot be read or a malformed directive.
// Runs every case of `file` on SQLite; with `pg`, on PostgreSQL too (in that session's schema):
// an answer that differs from SQLite's is a failure of its line.
ScenarioResult run_filter_scenario(const std::filesystem::path& file,
                                   db::testing::LibpqSession* pg = nullptr);

}  // namespace basalt::scenarios
