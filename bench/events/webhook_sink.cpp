// webhook_sink: the webhook receiver of bench/events/outbox.sh — the cheapest honest receiver
// we can write, so that on a 2-core machine the receiver takes as little as possible of the
// CPU the creates are measured on (a node:http receiver took ≈ 23 % of a core at 6k
// deliveries/s). Boost.Beast, keep-alive, blocking sockets and one thread per connection: a
// dispatcher sends one delivery at a time per destination, so a blocked read costs two system
// calls per delivery (read, write) where an event loop spent four (a read that finds nothing
// yet, the wait, the read, the write).
//
//   POST /hook   a delivery: answered 204; counted, and its commit-to-receipt lag (the
//                payload's "timestamp", the commit time Basalt stamps, against this clock)
//                kept
//   GET /stats   {"count":N,"firstMs":…,"lastMs":…,"lagP50":…,"lagP99":…} since the last reset
//   POST /reset  forgets the counts
//
// Usage: webhook_sink PORT (0 picks a free port; the chosen one is announced on stdout as
// "Server started at http://127.0.0.1:PORT").
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-12-07T10:20:30.123Z" in the body (after "timestamp":") as Unix milliseconds; -1 if absent.
std::int64_t commit_ms(std::string_view body) {
  constexpr std::string_view kKey = "\"timestamp\":\"";
  const std::size_t at = body.find(kKey);
  if (at == std::string_view::npos || body.size() < at + kKey.size() + 23) return -1;
  const std::string_view text = body.substr(at + kKey.size(), 23);
  auto number = [&text](std::size_t from, std::size_t length) {
    int value = 0;
    for (std::size_t i = from; i < from + length; ++i) value = value * 10 + (text[i] - '0');
    return value;
  };
  std::tm parts{};
  parts.tm_year = number(0, 4) - 1900;
  parts.tm_mon = number(5, 2) - 1;
  parts.tm_mday = number(8, 2);
  parts.tm_hour = number(11, 2);
  parts.tm_min = number(14, 2);
  parts.tm_sec = number(17, 2);
  return static_cast<std::int64_t>(::timegm(&parts)) * 1000 + number(20, 3);
}

struct Stats {  // guarded by `mutex`
  std::mutex mutex;
  std::int64_t count = 0, first_ms = 0, last_ms = 0;
  std::vector<std::int64_t> lags;

  void reset() {
    count = first_ms = last_ms = 0;
    lags.clear();
  }

  std::string json() {
    std::sort(lags.begin(), lags.end());
    auto at = [this](double p) {
      return lags.empty() ? 0 : lags[std::min(lags.size() - 1, std::size_t(p * lags.size()))];
    };
    return "{\"count\":" + std::to_string(count) + ",\"firstMs\":" + std::to_string(first_ms) +
           ",\"lastMs\":" + std::to_string(last_ms) + ",\"lagP50\":" + std::to_string(at(0.5)) +
           ",\"lagP99\":" + std::to_string(at(0.99)) + "}";
  }
};

// One connection, on its own thread, until the peer closes it.
void serve(tcp::socket socket, Stats& stats) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  beast::flat_buffer input;
  for (;;) {
    http::request<http::string_body> request;
    request.body().reserve(2048);
    http::read(socket, input, request, ec);
    if (ec) break;
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(request.keep_alive());
    const std::string_view target = request.target();
    if (request.method() == http::verb::post && target == "/hook") {
      const std::int64_t now = now_ms();
      const std::int64_t committed = commit_ms(request.body());
      std::lock_guard lock(stats.mutex);
      if (stats.count++ == 0) stats.first_ms = now;
      stats.last_ms = now;
      if (committed >= 0) stats.lags.push_back(now - committed);
      response.result(http::status::no_content);
    } else if (request.method() == http::verb::post && target == "/reset") {
      std::lock_guard lock(stats.mutex);
      stats.reset();
      response.result(http::status::no_content);
    } else if (request.method() == http::verb::get && target == "/stats") {
      response.result(http::status::ok);
      response.set(http::field::content_type, "application/json");
      std::lock_guard lock(stats.mutex);
      response.body() = stats.json();
    } else {
      response.result(http::status::not_found);
    }
    response.prepare_payload();
    http::write(socket, response, ec);
    if (ec || !request.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PORT\n", argv[0]);
    return 2;
  }
  asio::io_context context(1);  // only for the sockets; nothing runs on it
  tcp::acceptor acceptor(context, {asio::ip::address_v4::loopback(),
                                   static_cast<unsigned short>(std::stoul(argv[1]))});
  Stats stats;
  std::printf("Server started at http://127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  for (;;) {  // until killed
    beast::error_code ec;
    tcp::socket socket(context);
    acceptor.accept(socket, ec);
    if (ec) continue;
    std::thread(serve, std::move(socket), std::ref(stats)).detach();
  }
}
