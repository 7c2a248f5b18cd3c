#include "subscription_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <cstdio>

#include "load_thread.hpp"

namespace rtbench {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {
constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t kRefusalsToPrint = 3;
}  // namespace

SubscriptionPool::SubscriptionPool(LoadThread& host, const Options& options)
    : host_(host),
      host_header_(options.host + ":" + std::to_string(options.port)),
      topic_(options.collection + "/*"),
      connections_(options.subscribe_connections),
      wake_(host.context(), asio::steady_timer::time_point::max()) {}

void SubscriptionPool::start() {
  for (std::uint32_t i = 0; i < connections_; ++i) {
    asio::co_spawn(host_.context(), run_connection(), asio::detached);
  }
}

void SubscriptionPool::push(std::uint32_t index, std::uint32_t generation) {
  queue_.push_back({index, generation});
  wake_.cancel();
}

void SubscriptionPool::stop() {
  stopping_ = true;
  wake_.cancel();
}

std::string SubscriptionPool::body_for(const std::string& client_id) const {
  // Client ids are alphanumeric and the topic is ours: nothing needs escaping.
  return R"({"clientId":")" + client_id + R"(","subscriptions":[")" + topic_ + R"("]})";
}

asio::awaitable<void> SubscriptionPool::run_connection() {
  tcp::socket socket(host_.context());
  boost::beast::flat_buffer buffer;
  while (!stopping_) {
    if (queue_.empty()) {
      co_await wake_.async_wait(kUseTuple);
      continue;
    }
    Job job = queue_.front();
    queue_.pop_front();
    SseClient& client = host_.client(job.index);
    if (client.generation() != job.generation || !client.awaiting_subscription()) continue;

    boost::system::error_code error;
    if (!socket.is_open()) {
      std::tie(error) = co_await socket.async_connect(host_.endpoint(), kUseTuple);
      if (!error) socket.set_option(tcp::no_delay(true));
    }
    http::response<http::string_body> response;
    if (!error) {
      http::request<http::string_body> request{http::verb::post, "/api/realtime", 11};
      request.set(http::field::host, host_header_);
      request.set(http::field::content_type, "application/json");
      request.body() = body_for(client.client_id());
      request.prepare_payload();
      std::tie(error, std::ignore) = co_await http::async_write(socket, request, kUseTuple);
      if (!error) {
        std::tie(error, std::ignore) =
            co_await http::async_read(socket, buffer, response, kUseTuple);
      }
    }
    if (error) {
      ++host_.stats().subscribe_errors;
      boost::system::error_code ignored;
      socket.close(ignored);
      buffer.clear();
      client.subscription_refused(job.generation);
      continue;
    }
    if (response.result_int() == 204) {
      client.subscribed(job.generation);
    } else {
      if (refusals_printed_++ < kRefusalsToPrint) {
        std::fprintf(stderr, "bench_realtime: POST /api/realtime answered %u: %.200s\n",
                     response.result_int(), response.body().c_str());
      }
      client.subscription_refused(job.generation);
    }
    if (!response.keep_alive()) {
      boost::system::error_code ignored;
      socket.close(ignored);
      buffer.clear();
    }
  }
}

}  // namespace rtbench
