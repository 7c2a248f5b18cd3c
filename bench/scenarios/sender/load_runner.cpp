#include "load_runner.hpp"

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace scenario_sender {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadReserve = 64 * 1024;

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// What one request/response exchange gave: an answer, or the transport error.
struct Exchange {
  int status = 0;
  std::string body;
  int retry_after = -1;     // seconds, -1 when absent or not a whole number
  bool unanswered = false;  // the connection ended before any byte of an answer came
};

// Request i's bytes, written by Beast once before the clock starts (as wrk prepares its
// requests), so the timed loop only copies them to the socket.
std::string wire_bytes(const Plan& plan, const PlannedRequest& request) {
  http::request<http::string_body> message;
  const http::verb verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) throw std::runtime_error("unknown method " + request.method);
  message.method(verb);
  message.target(request.target);
  message.version(11);
  message.set(http::field::host, plan.host + ":" + std::to_string(plan.port));
  if (!request.token.empty()) message.set(http::field::authorization, request.token);
  if (!request.body.empty()) {
    message.set(http::field::content_type, "application/json");
    message.body() = request.body;
  }
  message.prepare_payload();
  std::ostringstream out;
  out << message;
  return std::move(out).str();
}

// The run's shared state; only the run's thread touches it.
struct Run {
  const Plan& plan;
  const std::vector<std::string>& wire;  // request i as its bytes on the wire
  tcp::endpoint server;
  std::vector<Outcome>& outcomes;
  std::size_t next = 0;  // the next request index a free worker takes
};

// One worker: takes request indexes until none are left. With keep-alive it holds one
// connection across its requests (reopened when the server closes it); otherwise it opens a
// connection per request and closes it once the answer is read, as a Go client with a new
// Transport per request does.
class Worker {
 public:
  Worker(Run& run, std::size_t index) : run_(run), index_(index) {
    // Beast sizes each read as the buffer's free capacity (at least 512 bytes), and the parser
    // empties the buffer as it copies the body out, so without this a 15 KB list page took 31
    // reads of 512 bytes; with it, one or two.
    buffer_.reserve(kReadReserve);
  }

  asio::awaitable<void> loop() {
    while (run_.next < run_.plan.requests.size()) {
      const std::size_t i = run_.next++;
      const PlannedRequest& request = run_.plan.requests[i];
      Outcome& outcome = run_.outcomes[i];
      const auto started = Clock::now();
      for (;;) {
        Exchange answer = co_await send(request, run_.wire[i]);
        const bool throttled = answer.status == 429 && request.retry_throttled &&
                               answer.retry_after >= 0 &&
                               outcome.throttled_retries < kMaxThrottledRetries;
        if (!throttled) {
          outcome.status = answer.status;
          outcome.body = std::move(answer.body);
          break;
        }
        ++outcome.throttled_retries;
        asio::steady_timer wait(co_await asio::this_coro::executor);
        wait.expires_after(
            std::chrono::seconds(std::min(answer.retry_after, kMaxRetryAfterSeconds)));
        auto waited = asio::as_tuple(asio::use_awaitable);
        co_await wait.async_wait(waited);
      }
      outcome.latency_us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
    }
    close();
  }

 private:
  // One exchange; a kept-alive connection that ends before any byte of an answer (the server
  // closed it while idle) is replaced once by a new one.
  asio::awaitable<Exchange> send(const PlannedRequest& request, const std::string& wire) {
    const bool reused = stream_.has_value();
    Exchange answer = co_await exchange(request, wire);
    if (answer.unanswered && reused) answer = co_await exchange(request, wire);
    co_return answer;
  }

  asio::awaitable<Exchange> exchange(const PlannedRequest& request, const std::string& wire) {
    Exchange answer;
    auto token = asio::as_tuple(asio::use_awaitable);
    if (!stream_) {
      std::string failure = co_await connect(request);
      if (!failure.empty()) {
        answer.body = "sender: connect: " + failure;
        co_return answer;
      }
    }
    stream_->expires_after(std::chrono::seconds(kRequestTimeoutSeconds));
    const auto bytes = asio::buffer(wire);
    auto [write_error, written] = co_await asio::async_write(*stream_, bytes, token);
    if (write_error) {
      close();
      answer.body = "sender: write: " + write_error.message();
      co_return answer;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    auto [read_error, read] = co_await http::async_read(*stream_, buffer_, parser, token);
    if (read_error) {
      close();
      answer.unanswered = !parser.got_some();
      answer.body = "sender: read: " + read_error.message();
      co_return answer;
    }
    http::response<http::string_body> response = parser.release();
    answer.status = static_cast<int>(response.result_int());
    std::string_view retry_after = response[http::field::retry_after];
    int seconds = 0;
    auto [end, ec] =
        std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), seconds);
    if (!retry_after.empty() && ec == std::errc() &&
        end == retry_after.data() + retry_after.size()) {
      answer.retry_after = seconds;
    }
    answer.body = std::move(response.body());
    if (!run_.plan.keep_alive || !response.keep_alive()) close();
    co_return answer;
  }

  // Opens stream_, from the worker's source address when the request asks for it; "" or why not.
  asio::awaitable<std::string> connect(const PlannedRequest& request) {
    auto executor = co_await asio::this_coro::executor;
    stream_.emplace(executor);
    buffer_.clear();
    tcp::socket& socket = stream_->socket();
    beast::error_code error;
    socket.open(tcp::v4(), error);
    if (!error && request.from_worker_source) {
      // The port is chosen at connect, not at bind: bind would reserve one per source address
      // and run out under thousands of short connections.
      int one = 1;
      ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      const std::string& source = run_.plan.worker_sources[index_];
      auto address = asio::ip::make_address_v4(source, error);
      if (!error) socket.bind(tcp::endpoint(address, 0), error);
    }
    if (error) {
      close();
      co_return error.message();
    }
    stream_->expires_after(std::chrono::seconds(kRequestTimeoutSeconds));
    auto token = asio::as_tuple(asio::use_awaitable);
    const tcp::endpoint server = run_.server;
    auto [connect_error] = co_await stream_->async_connect(server, token);
    if (connect_error) {
      close();
      co_return connect_error.message();
    }
    socket.set_option(tcp::no_delay(true), error);
    co_return std::string();
  }

  // Closes with a FIN (the answer was read to its end, so nothing unread turns it into a reset),
  // as Go's client does; no shutdown() first, which would only add a system call.
  void close() {
    if (!stream_) return;
    beast::error_code ignored;
    stream_->socket().close(ignored);
    stream_.reset();
  }

  Run& run_;
  const std::size_t index_;
  std::optional<beast::tcp_stream> stream_;  // the open connection, if any
  beast::flat_buffer buffer_;                // bytes read past the last answer on stream_
};

}  // namespace

RunResult run_plan(const Plan& plan) {
  RunResult result;
  result.outcomes.resize(plan.requests.size());
  asio::io_context context(1);
  std::vector<std::string> wire;
  wire.reserve(plan.requests.size());
  for (const auto& request : plan.requests) wire.push_back(wire_bytes(plan, request));
  Run run{plan, wire, tcp::endpoint(asio::ip::make_address_v4(plan.host), plan.port),
          result.outcomes};
  const std::size_t workers = std::min(plan.concurrency, plan.requests.size());
  std::vector<std::unique_ptr<Worker>> pool;
  pool.reserve(workers);
  for (std::size_t k = 0; k < workers; ++k) pool.push_back(std::make_unique<Worker>(run, k));

  const double cpu_before = process_cpu_seconds();
  const auto started = Clock::now();
  for (auto& worker : pool) asio::co_spawn(context, worker->loop(), asio::detached);
  context.run();
  result.wall_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  result.cpu_seconds = process_cpu_seconds() - cpu_before;
  return result;
}

}  // namespace scenario_sender
