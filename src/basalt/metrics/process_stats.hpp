// What the kernel says about this process, read at each scrape from /proc (Linux only).
// A value that cannot be read is left at -1 and its metric is not exported.
#pragma once

#include <cstdint>
#include <string_view>

namespace basalt::metrics {

struct ProcessStats {
  double cpu_seconds = -1;         // user + system
  double start_time_seconds = -1;  // since the Unix epoch
  std::int64_t resident_bytes = -1;
  std::int64_t rss_anon_bytes = -1;  // RssAnon: heap, stacks, anonymous mappings
  std::int64_t rss_file_bytes = -1;  // RssFile: mapped files (the binary, SQLite's mmap)
  std::int64_t virtual_bytes = -1;
  std::int64_t open_fds = -1;
  std::int64_t max_fds = -1;
  std::int64_t threads = -1;
};

ProcessStats read_process_stats();

// The parsers, apart for the tests. `status`: /proc/self/status; `stat`: /proc/self/stat;
// `boot_time`: btime of /proc/stat; `ticks`: sysconf(_SC_CLK_TCK).
void parse_proc_status(std::string_view status, ProcessStats& out);
void parse_proc_stat(std::string_view stat, double boot_time, long ticks, ProcessStats& out);

}  // namespace basalt::metrics
