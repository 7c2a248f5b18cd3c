#include "basalt/realtime/client.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

namespace basalt::realtime {
namespace {

// A buffer this small stays allocated between messages; a bigger one is given back.
constexpr std::size_t kRetainedBuffer = 1024;

void release_if_big(std::string& buffer) {
  if (buffer.capacity() > kRetainedBuffer) {
    std::string().swap(buffer);
  } else {
    buffer.clear();
  }
}

}  // namespace

Client::Client(std::string id, std::string ip, boost::asio::ip::tcp::socket& socket,
               std::size_t send_limit, Clock::duration flush_interval, Clock::time_point now)
    : topics(std::make_shared<const std::vector<Topic>>()),
      id_(std::move(id)),
      ip_(std::move(ip)),
      socket_(&socket),
      send_limit_(send_limit),
      flush_interval_(flush_interval),
      opened_(now),
      last_message_(now),
      last_write_(Clock::time_point::min()) {}

std::string Client::message_prefix(std::string_view event) const {
  std::string prefix;
  prefix.reserve(id_.size() + event.size() + 16);
  prefix.append("id:").append(id_).append("\nevent:").append(event).append("\ndata:");
  return prefix;
}

FlushDue Client::queue(std::string_view prefix, std::string_view data, Clock::time_point now) {
  if (closed_ || socket_ == nullptr) return FlushDue::kNone;
  const std::size_t size = prefix.size() + data.size() + 2;
  if (held_bytes() + size > send_limit_) {
    close();  // fell behind past the bound: dropped; the SDK reconnects
    return FlushDue::kNone;
  }
  // pending_ empty: no flush is arranged for it yet (each batch gets exactly one).
  const bool first = pending_.empty();
  pending_.append(prefix).append(data).append("\n\n");
  last_message_ = now;
  if (!first) return FlushDue::kNone;
  // last_write_ starts at min(): `now - last_write_` would overflow, so compare this way.
  return now < last_write_ + flush_interval_ ? FlushDue::kLater : FlushDue::kNow;
}

void Client::flush() {
  if (closed_ || socket_ == nullptr || pending_.empty()) return;
  if (writing_) {
    flush_requested_ = true;
    return;
  }
  start_write(Clock::now());
}

void Client::start_write(Clock::time_point now) {
  in_flight_.swap(pending_);
  release_if_big(pending_);
  writing_ = true;
  flush_requested_ = false;
  last_write_ = now;
  boost::asio::async_write(*socket_, boost::asio::buffer(in_flight_),
                           [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                             self->writing_ = false;
                             release_if_big(self->in_flight_);
                             if (ec) {
                               self->close();
                               return;
                             }
                             // Messages queued behind the write whose flush came due meanwhile
                             // leave now; others wait for the flush their queue() arranged.
                             if (self->flush_requested_ && !self->closed_ &&
                                 self->socket_ != nullptr && !self->pending_.empty()) {
                               self->start_write(Clock::now());
                             }
                           });
}

void Client::close() noexcept {
  if (closed_) return;
  closed_ = true;
  if (socket_ == nullptr) return;
  boost::system::error_code ec;
  socket_->close(ec);
}

}  // namespace basalt::realtime
