// One test per tests/scenarios/filter/*.txt file (README.md): every case of the file must hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "basalt/db/testing/libpq_session.hpp"
#include "filter_scenario.hpp"

namespace basalt::scenarios {
namespace {

std::vector<std::filesystem::path> scenario_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(BASALT_FILTER_SCENARIOS)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

class FilterScenarioTest : public ::testing::TestWithParam<std::filesystem::path> {};

TEST_P(FilterScenarioTest, EveryCaseHolds) {
  ScenarioResult result = run_filter_scenario(GetParam());
  EXPECT_GT(result.cases, 0) << GetParam() << " has no cases";
  RecordProperty("cases", result.cases);
  std::printf("%s: %d cases\n", GetParam().filename().c_str(), result.cases);
  for (const auto& failure : result.failures) {
    ADD_FAILURE_AT(GetParam().c_str(), failure.line) << failure.message;
  }
}

// The same files on PostgreSQL (BASALT_TEST_POSTGRES_URL; scripts/test.sh starts a server): each
// case's answer there must be SQLite's, as well as the file's.
TEST_P(FilterScenarioTest, EveryCaseHoldsOnPostgres) {
  BASALT_LIBPQ_SESSION_OR_SKIP(pg);
  ScenarioResult result = run_filter_scenario(GetParam(), &pg);
  EXPECT_GT(result.cases, 0) << GetParam() << " has no cases";
  std::printf("%s on PostgreSQL: %d cases\n", GetParam().filename().c_str(), result.cases);
  for (const auto& failure : result.failures) {
    ADD_FAILURE_AT(GetParam().c_str(), failure.line) << failure.message;
  }
}

INSTANTIATE_TEST_SUITE_P(Filter, FilterScenarioTest, ::testing::ValuesIn(scenario_files()),
                         [](const ::testing::TestParamInfo<std::filesystem::path>& info) {
                           return info.param.stem().string();
                         });

}  // namespace
}  // namespace basalt::scenarios
