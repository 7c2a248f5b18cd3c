// ceiling: the smallest honest Boost.Beast server we can write, answering what Basalt answers
// for GET /api/health. bench/run.sh measures Basalt against it, so the ratio shows what the
// framework costs on top of plain Beast. Same threading model as Basalt (DESIGN.md §2): one
// io_context per thread, each with its own SO_REUSEPORT acceptor, a coroutine per connection,
// keep-alive. Deliberately no pipelining tricks: wrk sends one request at a time per
// connection.
//
// Usage: ceiling PORT THREADS   (PORT 0 picks a free port; the chosen one is announced on
// stdout as "Server started at http://127.0.0.1:PORT", the same line Basalt prints).

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kHealthBody = R"({"message":"API is healthy.","code":200,"data":{}})";
constexpr std::string_view kNotFoundBody =
    R"({"message":"The requested resource wasn't found.","status":404,"data":{}})";
// Beast sizes each read as capacity minus size (at least 512 bytes); reserving up front means a
// whole request arrives in one read.
constexpr std::size_t kInputReserve = 8192;
constexpr int kListenBacklog = 4096;

// The Date header changes once a second; formatting it per request would dominate a tiny
// response, so each thread keeps the formatted text of the current second.
std::string_view http_date() {
  thread_local std::time_t cached_second = 0;
  thread_local char text[64];
  thread_local std::size_t length = 0;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    std::tm utc{};
    gmtime_r(&now, &utc);
    length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  }
  return {text, length};
}

asio::awaitable<void> serve_connection(tcp::socket socket) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  beast::flat_buffer input;
  input.reserve(kInputReserve);
  // One response object per connection: its field storage is reused across requests.
  http::response<http::string_body> response;
  auto token = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    // string_body, not empty_body: a request with a body gets its 404 instead of a parse error.
    http::request<http::string_body> request;
    auto [read_ec, read_n] = co_await http::async_read(socket, input, request, token);
    if (read_ec) break;  // peer closed, reset or sent garbage: drop the connection

    bool health = request.method() == http::verb::get && request.target() == "/api/health";
    response.result(health ? http::status::ok : http::status::not_found);
    response.version(request.version());
    response.set(http::field::content_type, "application/json");
    response.set(http::field::date, http_date());
    response.body() = health ? kHealthBody : kNotFoundBody;
    response.keep_alive(request.keep_alive());
    response.prepare_payload();  // Content-Length
    auto [write_ec, write_n] = co_await http::async_write(socket, response, token);
    if (write_ec || !request.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
  auto token = asio::as_tuple(asio::use_awaitable);
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(token);
    if (ec) continue;  // e.g. EMFILE: keep serving the connections we have
    asio::co_spawn(acceptor.get_executor(), serve_connection(std::move(socket)), asio::detached);
  }
}

// SO_REUSEPORT must be set before bind on every socket that shares the port.
std::unique_ptr<tcp::acceptor> open_acceptor(asio::io_context& context, tcp::endpoint endpoint) {
  auto acceptor = std::make_unique<tcp::acceptor>(context);
  acceptor->open(endpoint.protocol());
  acceptor->set_option(asio::socket_base::reuse_address(true));
  int one = 1;
  ::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
  acceptor->bind(endpoint);
  acceptor->listen(kListenBacklog);
  return acceptor;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s PORT THREADS\n", argv[0]);
    return 2;
  }
  auto port = static_cast<unsigned short>(std::stoul(argv[1]));
  int threads = std::max(1, std::stoi(argv[2]));

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
  tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port);
  for (int i = 0; i < threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    acceptors.push_back(open_acceptor(*contexts.back(), endpoint));
    // With port 0 the first bind picks the port; the others must join that same port.
    endpoint = acceptors.back()->local_endpoint();
    asio::co_spawn(*contexts.back(), accept_loop(*acceptors.back()), asio::detached);
  }
  std::printf("Server started at http://127.0.0.1:%u\n", endpoint.port());
  std::fflush(stdout);

  // Runs until killed: a benchmark target needs no graceful shutdown.
  std::vector<std::thread> workers;
  for (int i = 1; i < threads; ++i) workers.emplace_back([&contexts, i] { contexts[i]->run(); });
  contexts[0]->run();
  for (auto& worker : workers) worker.join();
}
