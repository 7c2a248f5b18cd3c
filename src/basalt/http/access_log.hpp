// The access log: one line per request on stderr (method, path, status, bytes, duration in
// µs, request id, remote address), as a JSON object or as text following `log-format`.
//
// Lines go through spdlog's asynchronous logger: the worker thread formats into a small buffer
// and enqueues it; one background thread writes. When the queue is full the oldest lines are
// dropped rather than making a request wait for stderr.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "basalt/core/config.hpp"

namespace spdlog {
class logger;
namespace details {
class thread_pool;
}
}  // namespace spdlog

namespace basalt::http {

struct AccessEntry {
  std::string_view method;
  std::string_view path;  // without the query string: it may carry tokens or personal data
  int status = 0;
  std::size_t bytes = 0;  // body bytes sent
  std::chrono::microseconds duration{};
  std::string_view request_id;
  std::string_view remote_address;
};

class AccessLog {
 public:
  // Thread safety: record() may be called from every worker thread at once.
  AccessLog(bool enabled, core::LogFormat format);
  ~AccessLog();

  bool enabled() const noexcept { return logger_ != nullptr; }
  void record(const AccessEntry& entry) const;

 private:
  core::LogFormat format_;
  // The async logger holds its pool only weakly: we own it, and it outlives the logger.
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace basalt::http
