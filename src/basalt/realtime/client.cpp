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
               std::size_t send_limit, Clock::time_point now)
    : topics(std::make_shared<const std::vector<Topic>>()),
      id_(std::move(id)),
      ip_(std::move(ip)),
      socket_(&socket),
      send_limit_(send_limit),
      opened_(now),
      last_message_(now) {}

void Client::send(std::string_view event, std::string_view data) {
  if (closed_ || socket_ == nullptr) return;
  const std::size_t size = id_.size() + event.size() + data.size() + 20;
  if (pending_.size() + size > send_limit_) {
    close();  // fell behind past the bound: dropped; the SDK reconnects
    return;
  }
  pending_.append("id:").append(id_);
  pending_.append("\nevent:").append(event);
  pending_.append("\ndata:").append(data);
  pending_.append("\n\n");
  last_message_ = Clock::now();
  if (!writing_) start_write();
}

void Client::start_write() {
  in_flight_.swap(pending_);
  release_if_big(pending_);
  writing_ = true;
  boost::asio::async_write(
      *socket_, boost::asio::buffer(in_flight_),
      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
        self->writing_ = false;
        release_if_big(self->in_flight_);
        if (ec) {
          self->close();
          return;
        }
        if (!self->closed_ && self->socket_ != nullptr && !self->pending_.empty()) {
          self->start_write();
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
