#include "load_thread.hpp"

#include <boost/asio/post.hpp>

#include <cmath>

namespace rtbench {

namespace asio = boost::asio;

namespace {
// What a thread reads from one readable socket at once; shared by all its streams.
constexpr std::size_t kReadBufferBytes = 64 * 1024;
}  // namespace

LoadThread::LoadThread(const Options& options, const asio::ip::tcp::endpoint& endpoint,
                       Progress& progress, std::uint32_t clients, double ramp_per_second)
    : endpoint_(endpoint),
      progress_(progress),
      stream_request_("GET /api/realtime HTTP/1.1\r\nHost: " + options.host + ":" +
                      std::to_string(options.port) +
                      "\r\nAccept: text/event-stream\r\nCache-Control: no-store\r\n\r\n"),
      read_buffer_(kReadBufferBytes),
      pool_(*this, options),
      tick_timer_(context_),
      ramp_per_tick_(ramp_per_second * std::chrono::duration<double>(kTick).count()) {
  clients_.reserve(clients);
  for (std::uint32_t i = 0; i < clients; ++i) {
    clients_.push_back(std::make_unique<SseClient>(*this, i));
  }
}

LoadThread::~LoadThread() {
  if (thread_.joinable()) stop();
}

void LoadThread::start() {
  pool_.start();
  schedule_tick();
  thread_ = std::thread([this] { context_.run(); });
}

void LoadThread::set_event_target(std::uint32_t events) {
  asio::post(context_, [this, events] {
    event_target_ = events;
    for (auto& client : clients_) {
      if (client->ever_subscribed() && client->events() >= events) {
        client->mark_complete();
        progress_.add_complete();
      }
    }
  });
}

void LoadThread::stop() {
  asio::post(context_, [this] {
    stopping_ = true;
    tick_timer_.cancel();
    pool_.stop();
    for (auto& client : clients_) client->stop();
    readiness_.stop();
    context_.stop();
  });
  thread_.join();
}

void LoadThread::request_subscription(std::uint32_t index, std::uint32_t generation) {
  pool_.push(index, generation);
}

void LoadThread::reopen_later(std::uint32_t index) {
  if (stopping_) return;
  reopen_.push_back({std::chrono::steady_clock::now() + kReopenDelay, index});
}

void LoadThread::schedule_tick() {
  tick_timer_.expires_after(kTick);
  tick_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error || stopping_) return;
    tick();
    schedule_tick();
  });
}

void LoadThread::tick() {
  // The ramp bounds every open, first or again, so a mass drop does not become a storm.
  ramp_allowance_ = std::min(ramp_allowance_ + ramp_per_tick_, std::max(ramp_per_tick_, 1.0) * 2);
  auto now = std::chrono::steady_clock::now();
  while (ramp_allowance_ >= 1 && opening_ < kMaxOpening) {
    if (!reopen_.empty() && reopen_.front().due <= now) {
      std::uint32_t index = reopen_.front().index;
      reopen_.pop_front();
      ++stats_.reconnects;
      ++opening_;
      clients_[index]->open();
    } else if (next_new_ < clients_.size()) {
      ++opening_;
      clients_[next_new_++]->open();
    } else {
      break;
    }
    ramp_allowance_ -= 1;
  }
}

}  // namespace rtbench
