#include "basalt/metrics/registry.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "basalt/metrics/scrape.hpp"

namespace basalt::metrics {
namespace {

TEST(RegistryTest, MergesTheBlocksOfEveryThreadAndKeepsThemAfterTheyExit) {
  const Snapshot before = snapshot();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      ThreadBlock& block = local();
      for (int i = 0; i < 1000; ++i) block.http[9].requests[1].add();
      block.http[9].duration.observe(3'000'000, kLatencyBoundsNs);  // 3 ms: the 5 ms bucket
      block.cache_hits[index(Cache::kPlan)].add(2);
    });
  }
  for (auto& thread : threads) thread.join();
  const Snapshot after = snapshot();
  EXPECT_EQ(after.http[9].requests[1] - before.http[9].requests[1], 4000u);
  EXPECT_EQ(after.http[9].duration.buckets[5] - before.http[9].duration.buckets[5], 4u);
  EXPECT_EQ(after.http[9].duration.sum - before.http[9].duration.sum, 12'000'000u);
  EXPECT_EQ(after.cache_hits[index(Cache::kPlan)] - before.cache_hits[index(Cache::kPlan)], 8u);
}

TEST(RegistryTest, ReusesTheBlocksOfExitedThreads) {
  std::thread([] { local().sign_in_failures.add(); }).join();
  const std::size_t blocks = snapshot().threads;
  for (int i = 0; i < 8; ++i) std::thread([] { local().sign_in_failures.add(); }).join();
  EXPECT_EQ(snapshot().threads, blocks);
}

TEST(RegistryTest, ScrapeNamesRoutesByTheirTemplates) {
  set_http_slot_labels({{"GET", "unmatched"}, {"GET", "/api/collections/{collection}/records"}});
  local().http[1].requests[1].add();
  local().http[1].duration.observe(1'000, kLatencyBoundsNs);
  const std::string text = scrape(Format::kPrometheus).body;
  EXPECT_NE(text.find("basalt_http_requests_total{method=\"GET\",route=\"/api/collections/"
                      "{collection}/records\",status=\"2xx\"}"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("basalt_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/"
                      "collections/{collection}/records\",le=\"0.0001\"}"),
            std::string::npos);
  EXPECT_NE(text.find("basalt_build_info{version="), std::string::npos);
  EXPECT_NE(text.find("process_cpu_seconds_total "), std::string::npos);
  const std::string open = scrape(Format::kOpenMetrics).body;
  EXPECT_EQ(open.substr(open.size() - 6), "# EOF\n");
}

}  // namespace
}  // namespace basalt::metrics
