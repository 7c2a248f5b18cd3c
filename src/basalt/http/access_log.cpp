#include "basalt/http/access_log.hpp"

#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

#include "basalt/core/logging.hpp"

namespace basalt::http {
namespace {

constexpr std::size_t kQueueSize = 8192;  // lines buffered before the oldest are dropped
constexpr std::string_view kLoggerName = "access";

}  // namespace

AccessLog::AccessLog(bool enabled, core::LogFormat format) : format_(format) {
  if (!enabled) return;
  // A thread pool of its own: the access log never shares a queue with other async loggers.
  pool_ = std::make_shared<spdlog::details::thread_pool>(kQueueSize, 1);
  logger_ = std::make_shared<spdlog::async_logger>(
      std::string(kLoggerName), std::make_shared<spdlog::sinks::stderr_sink_mt>(), pool_,
      spdlog::async_overflow_policy::overrun_oldest);
  // record() formats the fields; the pattern only adds the time, as the main log does.
  logger_->set_pattern(format == core::LogFormat::kJson ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ",%v)"
                                                        : "%Y-%m-%d %H:%M:%S.%e access %v",
                       spdlog::pattern_time_type::utc);
  logger_->set_level(spdlog::level::info);
}

AccessLog::~AccessLog() {
  if (logger_) logger_->flush();
}

void AccessLog::record(const AccessEntry& entry) const {
  if (!logger_) return;
  std::string line;
  line.reserve(160 + entry.path.size());
  if (format_ == core::LogFormat::kJson) {
    line += R"("type":"access","method":")";
    core::append_json_escaped(line, entry.method);
    line += R"(","path":")";
    core::append_json_escaped(line, entry.path);
    fmt::format_to(std::back_inserter(line), R"(","status":{},"bytes":{},"duration_us":{},)",
                   entry.status, entry.bytes, entry.duration.count());
    line += R"("request_id":")";
    core::append_json_escaped(line, entry.request_id);
    line += R"(","remote":")";
    core::append_json_escaped(line, entry.remote_address);
    line += "\"}";
  } else {
    // Text keeps the same fields; the path is escaped the same way so it cannot forge lines.
    core::append_json_escaped(line, entry.method);
    line += ' ';
    core::append_json_escaped(line, entry.path);
    fmt::format_to(std::back_inserter(line), " {} {}B {}us id=", entry.status, entry.bytes,
                   entry.duration.count());
    core::append_json_escaped(line, entry.request_id);
    line += " remote=";
    core::append_json_escaped(line, entry.remote_address);
  }
  logger_->info(line);
}

}  // namespace basalt::http
