#include "writer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdio>

#include "wall_clock.hpp"

namespace rtbench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kRefusalsToPrint = 3;
}  // namespace

struct Writer::Connection {
  explicit Connection(asio::io_context& context) : socket(context) {}
  tcp::socket socket;
  boost::beast::flat_buffer buffer;
};

Writer::Writer(const Options& options, const tcp::endpoint& endpoint)
    : endpoint_(endpoint),
      host_header_(options.host + ":" + std::to_string(options.port)),
      path_("/api/collections/" + options.collection + "/records"),
      token_(options.token),
      rate_(options.rate),
      duration_seconds_(options.duration_seconds),
      max_in_flight_(options.writer_max_in_flight) {}

Writer::~Writer() = default;

WriterStats Writer::run() {
  auto started = Clock::now();
  asio::co_spawn(context_, pace(), asio::detached);
  context_.run();  // returns when pacing is over and every create was answered
  stats_.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return stats_;
}

asio::awaitable<void> Writer::pace() {
  asio::steady_timer timer(context_);
  auto start = Clock::now();
  auto total = static_cast<std::uint64_t>(rate_ * duration_seconds_);
  for (std::uint64_t seq = 0; seq < total; ++seq) {
    auto due = start + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(seq) / rate_));
    timer.expires_at(due);
    co_await timer.async_wait(kUseTuple);
    if (in_flight_ >= max_in_flight_) {
      ++stats_.skipped;
      continue;
    }
    ++in_flight_;
    asio::co_spawn(context_, create(seq), asio::detached);
  }
}

asio::awaitable<void> Writer::create(std::uint64_t seq) {
  std::unique_ptr<Connection> connection;
  if (!idle_.empty()) {
    connection = std::move(idle_.back());
    idle_.pop_back();
  } else {
    connection = std::make_unique<Connection>(context_);
    ++stats_.connections;
  }
  boost::system::error_code error;
  if (!connection->socket.is_open()) {
    std::tie(error) = co_await connection->socket.async_connect(endpoint_, kUseTuple);
    if (!error) connection->socket.set_option(tcp::no_delay(true));
  }
  http::response<http::string_body> response;
  std::int64_t sent_us = 0;
  if (!error) {
    http::request<http::string_body> request{http::verb::post, path_, 11};
    request.set(http::field::host, host_header_);
    request.set(http::field::content_type, "application/json");
    if (!token_.empty()) request.set(http::field::authorization, token_);
    sent_us = wall_clock_us();
    request.body() =
        R"({"sent_us":)" + std::to_string(sent_us) + R"(,"seq":)" + std::to_string(seq) + "}";
    request.prepare_payload();
    ++stats_.sent;
    std::tie(error, std::ignore) =
        co_await http::async_write(connection->socket, request, kUseTuple);
    if (!error) {
      std::tie(error, std::ignore) =
          co_await http::async_read(connection->socket, connection->buffer, response, kUseTuple);
    }
  }
  if (error) {
    ++stats_.errors;
    boost::system::error_code ignored;
    connection->socket.close(ignored);
    connection->buffer.clear();
  } else {
    stats_.round_trip.record(wall_clock_us() - sent_us);
    if (response.result_int() == 200) {
      ++stats_.created;
    } else {
      ++stats_.refused;
      if (refusals_printed_++ < kRefusalsToPrint) {
        std::fprintf(stderr, "bench_realtime: create answered %u: %.300s\n", response.result_int(),
                     response.body().c_str());
      }
    }
    if (!response.keep_alive()) {
      boost::system::error_code ignored;
      connection->socket.close(ignored);
      connection->buffer.clear();
    }
  }
  idle_.push_back(std::move(connection));
  --in_flight_;
}

}  // namespace rtbench
