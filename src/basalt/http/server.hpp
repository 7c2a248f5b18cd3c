// Server: N worker threads, each with its own io_context and its own SO_REUSEPORT listener on
// the same address; the kernel spreads connections over them and a connection stays on its
// thread for life, so the request path takes no locks (docs/architecture.md).
//
// Lifecycle (owned by one controlling thread, the composition root):
//   Server s(options, dispatcher, access_log);  // binds every listener or throws
//   s.start();                                  // starts the worker threads
//   s.shutdown(grace);                          // stop accepting, drain, join
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "basalt/core/config.hpp"
#include "basalt/http/spool_budget.hpp"

namespace basalt::http {

class AccessLog;
class Dispatcher;
class RequestObserver;
class RequestTracer;
class Worker;

struct ServerOptions {
  std::string host;
  std::uint16_t port = 0;  // 0: let the kernel choose (see port())
  unsigned threads = 1;
  core::HttpLimits limits;
};

// State every worker reads. Only the connection counter, the spool budget and the exit count
// change after start(); the exit count is guarded by `exit_mutex`. The access log is thread-safe.
struct ServerShared {
  const Dispatcher& dispatcher;
  AccessLog& access_log;
  core::HttpLimits limits;
  RequestObserver* observer = nullptr;  // told of every answered request; may be null
  RequestTracer* tracer = nullptr;      // traces every answered request; may be null
  std::atomic<std::size_t> open_connections{0};
  // The bytes of file parts being received, over every connection (spool_budget.hpp).
  SpoolBudget spool_budget{limits.max_upload_spool_bytes};

  std::mutex exit_mutex;
  std::condition_variable exit_signal;
  unsigned exited_workers = 0;  // workers whose run() returned
};

class Server {
 public:
  // Binds all listeners. Throws std::system_error (e.g. address in use) with the address named.
  // `access_log` must outlive the Server; each worker flushes its lines into it as it stops.
  // `observer` and `tracer`, when given, must outlive the Server too (request_observer.hpp,
  // request_tracer.hpp).
  Server(const ServerOptions& options, const Dispatcher& dispatcher, AccessLog& access_log,
         RequestObserver* observer = nullptr, RequestTracer* tracer = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const noexcept { return port_; }

  void start();

  // Stops accepting; idle keep-alive connections close at once; requests in flight finish
  // and their connections then close. Returns when every worker has drained, or after
  // `grace`, when whatever is left is cut off. Blocks the calling thread; call once.
  void shutdown(std::chrono::milliseconds grace);

 private:
  ServerShared shared_;
  std::uint16_t port_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace basalt::http
