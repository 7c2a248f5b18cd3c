#include "basalt/metrics/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace basalt::metrics {
namespace {

std::string read_whole(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The number after `key` on its line of /proc/self/status ("RssAnon:\t  1234 kB").
std::int64_t status_value(std::string_view status, std::string_view key) {
  std::size_t at = 0;
  while (at < status.size()) {
    std::size_t end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(at, end - at);
    at = end + 1;
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':')
      continue;
    line.remove_prefix(key.size() + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    std::int64_t value = -1;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (ec != std::errc()) return -1;
    std::string_view unit(ptr, line.data() + line.size() - ptr);
    if (unit.find("kB") != std::string_view::npos) value *= 1024;
    return value;
  }
  return -1;
}

}  // namespace

void parse_proc_status(std::string_view status, ProcessStats& out) {
  out.resident_bytes = status_value(status, "VmRSS");
  out.rss_anon_bytes = status_value(status, "RssAnon");
  out.rss_file_bytes = status_value(status, "RssFile");
  out.virtual_bytes = status_value(status, "VmSize");
  out.threads = status_value(status, "Threads");
}

void parse_proc_stat(std::string_view stat, double boot_time, long ticks, ProcessStats& out) {
  // The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
  const std::size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks <= 0) return;
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::size_t at = close + 1;
  while (at < stat.size()) {
    while (at < stat.size() && stat[at] == ' ') ++at;
    std::size_t end = stat.find(' ', at);
    if (end == std::string_view::npos) end = stat.size();
    if (end > at) fields.push_back(stat.substr(at, end - at));
    at = end;
  }
  auto field = [&](std::size_t number) -> double {  // 1-based field number of proc(5)
    if (number < 3 || number - 3 >= fields.size()) return -1;
    std::string_view text = fields[number - 3];
    unsigned long long value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    return ec == std::errc() ? static_cast<double>(value) : -1;
  };
  const double utime = field(14), stime = field(15), start = field(22);
  if (utime >= 0 && stime >= 0) out.cpu_seconds = (utime + stime) / static_cast<double>(ticks);
  if (start >= 0 && boot_time > 0) {
    out.start_time_seconds = boot_time + start / static_cast<double>(ticks);
  }
}

ProcessStats read_process_stats() {
  ProcessStats out;
  parse_proc_status(read_whole("/proc/self/status"), out);
  double boot_time = -1;
  const std::string proc_stat = read_whole("/proc/stat");
  if (auto at = proc_stat.find("\nbtime "); at != std::string::npos) {
    boot_time = std::strtod(proc_stat.c_str() + at + 7, nullptr);
  }
  parse_proc_stat(read_whole("/proc/self/stat"), boot_time, sysconf(_SC_CLK_TCK), out);
  std::error_code error;
  std::int64_t fds = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++fds;
  }
  if (!error) out.open_fds = fds - 1;  // less the descriptor of the listing itself
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    out.max_fds = static_cast<std::int64_t>(limit.rlim_cur);
  }
  return out;
}

}  // namespace basalt::metrics
