// RequestObserver: what other modules learn of each answered request, after its response was
// written (the request logs of docs/observability.md, "Logs API").
//
// The connection calls on_request() once per request that reached the dispatcher, on the
// worker thread that served it, right after the response (or a stream's header) was written
// into the output buffer. It must not block and must not throw: it runs on the request path of
// every request, so an observer copies what it needs and hands it to a thread of its own.
//
// RequestNote carries what only the layers above http know (who the caller was, why the
// request failed); they fill it while the request runs. It lives in the Request, so it costs
// nothing until a layer writes to it.
#pragma once

#include <chrono>
#include <string>

namespace basalt::http {

class Request;

struct RequestNote {
  std::string auth_collection;  // the caller's auth collection name; empty for guests
  std::string auth_id;          // the caller's record id; empty for guests
  std::string error;            // the error message answered, when the request failed
  // A route whose successful requests are not worth a log entry (the logs API itself, as in
  // PocketBase): only its failures are observed.
  bool skip_success = false;
};

struct CompletedRequest {
  const Request& request;
  int status = 0;
  std::chrono::steady_clock::duration duration{};  // from the parsed request to the answer
};

class RequestObserver {
 public:
  virtual ~RequestObserver() = default;
  // Called on the worker thread (see above). Never throws.
  virtual void on_request(const CompletedRequest& completed) noexcept = 0;
};

}  // namespace basalt::http
