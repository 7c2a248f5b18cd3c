#include "basalt/metrics/process_stats.hpp"

#include <gtest/gtest.h>

namespace basalt::metrics {
namespace {

TEST(ProcessStatsTest, ReadsMemoryLinesOfProcStatus) {
  ProcessStats stats;
  parse_proc_status(
      "Name:\tbasalt\nVmSize:\t  2048 kB\nVmRSS:\t  1500 kB\n"
      "RssAnon:\t  1000 kB\nRssFile:\t   400 kB\nThreads:\t9\n",
      stats);
  EXPECT_EQ(stats.virtual_bytes, 2048 * 1024);
  EXPECT_EQ(stats.resident_bytes, 1500 * 1024);
  EXPECT_EQ(stats.rss_anon_bytes, 1000 * 1024);
  EXPECT_EQ(stats.rss_file_bytes, 400 * 1024);
  EXPECT_EQ(stats.threads, 9);
}

TEST(ProcessStatsTest, ReadsCpuAndStartTimeAfterACommandNameWithSpaces) {
  ProcessStats stats;
  // Fields 14 and 15 (utime, stime) = 250 and 50 ticks; field 22 (starttime) = 1000 ticks.
  parse_proc_stat("42 (a) b (c)) S 1 1 1 0 -1 0 0 0 0 0 250 50 0 0 20 0 9 0 1000 0 0",
                  1'700'000'000, 100, stats);
  EXPECT_DOUBLE_EQ(stats.cpu_seconds, 3.0);
  EXPECT_DOUBLE_EQ(stats.start_time_seconds, 1'700'000'010.0);
}

TEST(ProcessStatsTest, TheRunningProcessHasValues) {
  const ProcessStats stats = read_process_stats();
  EXPECT_GT(stats.rss_anon_bytes, 0);
  EXPECT_GT(stats.open_fds, 2);
  EXPECT_GE(stats.cpu_seconds, 0);
  EXPECT_GT(stats.start_time_seconds, 1e9);
}

}  // namespace
}  // namespace basalt::metrics
