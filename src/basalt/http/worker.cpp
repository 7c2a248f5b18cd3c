#include "basalt/http/worker.hpp"

#include <memory>

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "basalt/core/span_scope.hpp"
#include "basalt/http/server.hpp"
#include "basalt/http/span_cell_executor.hpp"

namespace basalt::http {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr int kListenBacklog = 4096;
// Connections accepted past max-connections are answered 503; past this many more they are
// closed at once, so a flood cannot hold sockets open even for the short 503 exchange.
constexpr std::size_t kRejectSlack = 64;
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

// `cell`: the connection's span cell when tracing is on (the coroutine runs on a
// SpanCellExecutor installing it); null otherwise. Owned by this frame, so it outlives every
// resumption of the connection's coroutine.
asio::awaitable<void> serve(tcp::socket socket, Worker& worker, bool over_limit,
                            std::unique_ptr<core::SpanCell> cell) {
  try {
    Connection connection(std::move(socket), worker, over_limit, cell.get());
    co_await connection.run();
  } catch (const std::exception& error) {
    // Handlers' errors are answered by the dispatcher; reaching here means the connection
    // itself failed (e.g. out of memory). Drop it, keep the server.
    spdlog::error("connection failed: {}", error.what());
  }
}

}  // namespace

Worker::Worker(ServerShared& shared, const tcp::endpoint& endpoint, bool reuse_port)
    : shared_(shared), access_log_(shared.access_log), acceptor_(context_), sweeper_(context_) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  if (reuse_port) {
    int one = 1;
    if (::setsockopt(acceptor_.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
      throw std::system_error(errno, std::generic_category(), "setsockopt(SO_REUSEPORT)");
    }
  }
  acceptor_.bind(endpoint);
  acceptor_.listen(kListenBacklog);
}

Worker::~Worker() {
  join();
  // Members are destroyed next; destroying context_ destroys suspended connection coroutines,
  // whose detach() must then leave the (already destroyed) sweeper alone.
  destroying_ = true;
}

void Worker::start() {
  asio::co_spawn(context_, accept_loop(), asio::detached);
  asio::co_spawn(context_, sweep_loop(), asio::detached);
  thread_ = std::thread([this] {
    context_.run();
    access_log_.flush();
    {
      std::lock_guard lock(shared_.exit_mutex);
      ++shared_.exited_workers;
    }
    shared_.exit_signal.notify_all();
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::begin_drain() {
  asio::post(context_, [this] { drain(); });
}

void Worker::drain() {
  draining_ = true;
  boost::system::error_code ec;
  acceptor_.close(ec);
  for (auto* list : {&connections_, &streams_}) {
    for (auto it = list->begin(); it != list->end();) {
      Connection& connection = *it++;  // on_drain only closes a socket; the list stays intact
      connection.on_drain();
    }
  }
  if (connections_.empty() && streams_.empty()) sweeper_.cancel();
}

void Worker::attach(Connection& connection) {
  connections_.push_back(connection);
}

void Worker::begin_stream(Connection& connection) {
  connections_.erase(connections_.iterator_to(connection));
  streams_.push_back(connection);
}

void Worker::detach(Connection& connection) {
  auto& list = connection.streaming() ? streams_ : connections_;
  list.erase(list.iterator_to(connection));
  shared_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  if (draining_ && !destroying_ && connections_.empty() && streams_.empty()) sweeper_.cancel();
}

asio::awaitable<void> Worker::accept_loop() {
  asio::steady_timer retry(context_);
  while (acceptor_.is_open()) {
    auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
    if (ec) {
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of descriptors (or similar): the pending connection stays queued, so retrying at
      // once would spin. Back off briefly.
      spdlog::warn("accept failed: {}", ec.message());
      retry.expires_after(kAcceptRetryDelay);
      co_await retry.async_wait(kAsTuple);
      continue;
    }
    const std::size_t open = shared_.open_connections.fetch_add(1, std::memory_order_relaxed) + 1;
    if (open > shared_.limits.max_connections + kRejectSlack) {
      shared_.open_connections.fetch_sub(1, std::memory_order_relaxed);
      boost::system::error_code close_ec;
      socket.close(close_ec);
      continue;
    }
    const bool over_limit = open > shared_.limits.max_connections;
    if (shared_.tracer != nullptr) {
      auto cell = std::make_unique<core::SpanCell>();
      SpanCellExecutor<asio::io_context::executor_type> executor(context_.get_executor(),
                                                                 cell.get());
      asio::co_spawn(executor, serve(std::move(socket), *this, over_limit, std::move(cell)),
                     asio::detached);
    } else {
      asio::co_spawn(context_, serve(std::move(socket), *this, over_limit, nullptr),
                     asio::detached);
    }
  }
}

asio::awaitable<void> Worker::sweep_loop() {
  for (;;) {
    sweeper_.expires_after(kSweepInterval);
    co_await sweeper_.async_wait(kAsTuple);
    access_log_.flush();
    if (draining_ && connections_.empty() && streams_.empty()) co_return;
    const auto now = Connection::Clock::now();
    for (auto it = connections_.begin(); it != connections_.end();) {
      Connection& connection = *it++;
      connection.on_tick(now);
    }
  }
}

}  // namespace basalt::http
