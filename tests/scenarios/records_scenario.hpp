// RecordsScenario: runs one tests/scenarios/records/*.scenario file (format in
// records/README.md) against a running server: setup lines through the superuser, then each
// `AS ...` request and the checks under it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "scenario_server.hpp"

namespace basalt::scenarios {

struct RecordsFinding {
  int line = 0;
  std::string message;
};

struct RecordsScenarioResult {
  int expectations = 0;                  // check lines seen, EXPECT included
  std::vector<RecordsFinding> failures;  // each one fails the file
  std::vector<RecordsFinding> pending;   // PENDING checks that still fail: printed, not failed
};

// Never throws for a failing check (it becomes a failure). A failed setup line (COLLECTION,
// USER, RECORD) is a failure that ends the file. Throws std::runtime_error for a file that
// cannot be read or a malformed line ("<file>:<line>: ...").
RecordsScenarioResult run_records_scenario(const std::filesystem::path& file,
                                           const ScenarioServer& server);

}  // namespace basalt::scenarios
