// One test per tests/scenarios/records/*.scenario file (records/README.md): each file runs
// against its own fresh server, and every check of it must hold. PENDING checks that still fail
// are printed, not failed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "records_scenario.hpp"

namespace basalt::scenarios {
namespace {

std::vector<std::filesystem::path> scenario_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(BASALT_RECORDS_SCENARIOS)) {
    if (entry.path().extension() == ".scenario") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class RecordsScenarioTest : public ::testing::TestWithParam<std::filesystem::path> {};

void run_scenario_file(const std::filesystem::path& file, const char* postgres_url) {
  ScenarioServer server(postgres_url);
  RecordsScenarioResult result = run_records_scenario(file, server);
  EXPECT_GT(result.expectations, 0) << file << " has no checks";
  ::testing::Test::RecordProperty("expectations", result.expectations);
  std::printf("%s: %d expectations, %zu failed, %zu pending\n", file.filename().c_str(),
              result.expectations, result.failures.size(), result.pending.size());
  for (const auto& pending : result.pending) {
    std::printf("PENDING %s:%d: %s\n", file.c_str(), pending.line, pending.message.c_str());
  }
  for (const auto& failure : result.failures) {
    ADD_FAILURE_AT(file.c_str(), failure.line) << failure.message;
  }
}

TEST_P(RecordsScenarioTest, EveryCheckHolds) {
  run_scenario_file(GetParam(), nullptr);
}

// The same file against a server storing its data in PostgreSQL (BASALT_TEST_POSTGRES_URL;
// scripts/test.sh starts a server): the same answers.
TEST_P(RecordsScenarioTest, EveryCheckHoldsOnPostgres) {
  const char* url = std::getenv("BASALT_TEST_POSTGRES_URL");
  if (url == nullptr) GTEST_SKIP() << "skipped: BASALT_TEST_POSTGRES_URL not set";
  std::printf("on PostgreSQL: ");
  run_scenario_file(GetParam(), url);
}

INSTANTIATE_TEST_SUITE_P(Records, RecordsScenarioTest, ::testing::ValuesIn(scenario_files()),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& info) {
                           return info.param.stem().string();
                         });

}  // namespace
}  // namespace basalt::scenarios
