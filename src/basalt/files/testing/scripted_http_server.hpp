// ScriptedHttpServer: a loopback HTTP/1.1 server for tests that answers each request with the
// next response of a script (one request per connection, then it closes), and records what it
// was asked. Used to provoke what a real S3 server does not do on demand: 503s, a failing part.
//
// Threads: one server thread owns the listening socket and every connection; requests() copies
// the log under a mutex. The destructor stops and joins the thread.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace basalt::files::test_support {

struct ScriptedResponse {
  static constexpr int kHangUp = 0;        // close the connection without answering
  static constexpr int kNeverAnswer = -1;  // keep the connection silent until the client leaves
  int status = 200;                        // an HTTP status, or kHangUp / kNeverAnswer
  std::vector<std::string> headers;        // "Name: value"
  std::string body;
  // The Content-Length sent; when above body.size() the rest never comes (the connection stays
  // silent until the client leaves): a body that does not end.
  std::size_t declared_length = 0;  // 0: body.size()
};

struct RecordedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::string body;
};

class ScriptedHttpServer {
 public:
  // Past the script's end every request gets 500 "script exhausted".
  explicit ScriptedHttpServer(std::vector<ScriptedResponse> script);
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<RecordedRequest> requests() const;

 private:
  void serve();
  void answer(int connection);

  std::vector<ScriptedResponse> script_;
  std::size_t next_ = 0;  // server thread only
  int listener_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;  // guards requests_
  std::vector<RecordedRequest> requests_;
  std::thread thread_;
};

}  // namespace basalt::files::test_support
