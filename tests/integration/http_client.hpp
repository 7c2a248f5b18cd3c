// A deliberately raw HTTP/1.1 client for black-box tests: it sends exactly the bytes a test
// writes (pipelining, partial headers, bad framing) and parses responses strictly.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::testing {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; reads block at most `read_timeout_s` (a bound against a hung
  // server, never a timing assertion).
  explicit RawConnection(int port, int read_timeout_s = 30);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  // Sends all bytes; false if the peer closed (EPIPE/ECONNRESET).
  bool send(std::string_view bytes);
  // Reads one response (Content-Length framed, or until close). nullopt if the connection
  // closed before a complete response. `head`: the response has no body whatever its length.
  std::optional<HttpResponse> read_response(bool head = false);
  // True once the server closed the connection (EOF or reset), reading and dropping anything
  // before it.
  bool wait_closed();
  // True when the server has sent something (or closed) on this connection by now; never
  // waits. Tells a request still being worked on from one that was answered.
  bool has_answer_now();

 private:
  bool fill();  // reads more into buffer_; false on EOF/error

  int fd_ = -1;
  std::string buffer_;
};

// True when a TCP connect to 127.0.0.1:port is refused.
bool connect_refused(int port);

// One request on a fresh connection.
std::optional<HttpResponse> request(int port, std::string_view raw_request);

// An API call on a fresh connection: `method path` with the token (when any) as Authorization
// and `body` of `content_type` (always sent, empty included, with its Content-Length).
std::optional<HttpResponse> call(int port, std::string_view method, std::string_view path,
                                 std::string_view token = {}, std::string_view body = {},
                                 std::string_view content_type = "application/json");

// One part of a multipart/form-data body: a plain value, or a file when `filename` is set.
struct FormPart {
  std::string name;
  std::string content;
  std::string filename;
  std::string content_type = "application/octet-stream";  // a file part's
};

// The multipart/form-data body of `parts` with `boundary`; send it with the content type
// "multipart/form-data; boundary=<boundary>".
std::string multipart_body(std::string_view boundary, const std::vector<FormPart>& parts);

}  // namespace basalt::testing
