#include "sse_client.hpp"

#include <boost/asio/write.hpp>

#include "load_thread.hpp"
#include "wall_clock.hpp"

namespace rtbench {

namespace asio = boost::asio;
using boost::system::error_code;

SseClient::SseClient(LoadThread& host, std::uint32_t index)
    : host_(host), socket_(host.context().get_executor()), index_(index) {}

void SseClient::open() {
  ++generation_;
  decoder_.reset();
  parser_.reset();
  state_ = State::connecting;
  socket_.async_connect(host_.endpoint(), [this](const error_code& error) { on_connected(error); });
}

void SseClient::on_connected(const error_code& error) {
  if (error) return end(Ending::connect);
  socket_.set_option(asio::ip::tcp::no_delay(true));
  state_ = State::awaiting_connect;
  asio::async_write(socket_, asio::buffer(host_.stream_request()),
                    [this](const error_code& e, std::size_t) { on_request_written(e); });
}

void SseClient::on_request_written(const error_code& error) {
  if (error) return end(Ending::closed);
  socket_.non_blocking(true);
  // From here the thread's readiness set reports the stream (readiness_set.hpp), not Asio.
  if (!host_.readiness().add(socket_.native_handle(), *this)) return end(Ending::closed);
}

void SseClient::on_ready() {
  if (state_ == State::closed) return;
  // Edge-triggered: read until a short read (nothing more queued; later bytes raise a new
  // edge), so one readiness costs one read in the usual case.
  std::span<char> buffer = host_.read_buffer();
  for (;;) {
    error_code read_error;
    std::size_t n = socket_.read_some(asio::buffer(buffer.data(), buffer.size()), read_error);
    if (read_error == asio::error::would_block) return;
    if (read_error) return end(Ending::closed);
    // One clock reading per read: the messages of one read arrived together.
    if (!take({buffer.data(), n}, wall_clock_us())) return;
    if (n < buffer.size()) return;
  }
}

// Decodes one read; false when the stream was ended because of what it held.
bool SseClient::take(std::string_view bytes, std::int64_t now_us) {
  bool parsed = true;
  auto on_connect = [this] {
    if (state_ != State::awaiting_connect || parser_.last_id().empty()) return;
    state_ = State::subscribing;
    host_.request_subscription(index_, generation_);
  };
  auto on_record = [this, now_us](std::int64_t sent_us, std::int64_t seq, std::int64_t created_us) {
    ++events_;
    ClientStats& stats = host_.stats();
    ++stats.events;
    stats.latency.record(now_us - sent_us);
    if (created_us >= 0) stats.created_latency.record(now_us - created_us);
    stats.fan_out.record(seq, sent_us, now_us);
    if (!complete_ && host_.event_target() != 0 && events_ >= host_.event_target()) {
      complete_ = true;
      host_.client_complete();
    }
  };
  HttpStreamDecoder::Result result = decoder_.feed(bytes, [&](std::string_view body) {
    parsed = parser_.feed(body, on_connect, on_record);
    return parsed;
  });
  switch (result) {
    case HttpStreamDecoder::Result::more:
      if (parsed) return true;
      end(Ending::framing);
      return false;
    case HttpStreamDecoder::Result::ended:
      end(Ending::closed);
      return false;
    case HttpStreamDecoder::Result::bad_status:
      end(Ending::status);
      return false;
    case HttpStreamDecoder::Result::bad_head:
    case HttpStreamDecoder::Result::bad_chunk:
      end(Ending::framing);
      return false;
  }
  return false;
}

void SseClient::subscribed(std::uint32_t generation) {
  if (generation != generation_ || state_ != State::subscribing) return;
  state_ = State::subscribed;
  host_.opening_done();
  if (!ever_subscribed_) {
    ever_subscribed_ = true;
    host_.first_subscription();
  }
}

void SseClient::subscription_refused(std::uint32_t generation) {
  if (generation != generation_ || state_ != State::subscribing) return;
  end(Ending::refused);
}

void SseClient::end(Ending why) {
  State was = state_;
  if (was == State::closed) return;
  state_ = State::closed;
  error_code ignored;
  socket_.close(ignored);
  ClientStats& stats = host_.stats();
  switch (why) {
    case Ending::connect:
      ++stats.connect_failures;
      break;
    case Ending::status:
      ++stats.status_failures;
      break;
    case Ending::framing:
      ++stats.framing_failures;
      break;
    case Ending::refused:
      ++stats.subscribe_failures;
      break;
    case Ending::closed:
      if (was == State::subscribed) ++stats.drops;
      break;
  }
  if (was != State::subscribed) host_.opening_done();
  host_.reopen_later(index_);
}

void SseClient::stop() {
  state_ = State::closed;
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace rtbench
