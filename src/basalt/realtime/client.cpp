#include "basalt/realtime/client.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <climits>

namespace basalt::realtime {
namespace {

// A buffer this small stays allocated between messages; a bigger one is given back.
constexpr std::size_t kRetainedBuffer = 1024;
// Pieces per sendmsg(2): the kernel takes at most IOV_MAX (1024) at once.
constexpr std::size_t kPiecesPerCall = IOV_MAX;

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

std::string Client::message_prefix(std::string_view event) const {
  std::string prefix;
  prefix.reserve(id_.size() + event.size() + 16);
  prefix.append("id:").append(id_).append("\nevent:").append(event).append("\ndata:");
  return prefix;
}

void Client::send(std::string_view event, std::string_view data) {
  const std::string prefix = message_prefix(event);
  const iovec pieces[] = {{const_cast<char*>(prefix.data()), prefix.size()},
                          {const_cast<char*>(data.data()), data.size()},
                          {const_cast<char*>("\n\n"), 2}};
  write(pieces, prefix.size() + data.size() + 2, Clock::now());
}

void Client::write(std::span<const iovec> pieces, std::size_t largest_message,
                   Clock::time_point now) {
  if (closed_ || socket_ == nullptr || pieces.empty()) return;
  if (largest_message > send_limit_) {
    close();  // one message bigger than the bound: never deliverable within it
    return;
  }
  std::size_t total = 0;
  for (const iovec& piece : pieces) total += piece.iov_len;
  last_message_ = now;
  if (writing_) {
    hold(pieces, 0, total);  // behind the write in flight, in order
    return;
  }
  // Straight to the kernel: on loopback or a fast reader it takes everything at once, and
  // nothing is copied or kept here.
  const int fd = socket_->native_handle();
  std::size_t written = 0;
  for (std::size_t first = 0; first < pieces.size(); first += kPiecesPerCall) {
    const std::size_t count = std::min(kPiecesPerCall, pieces.size() - first);
    std::size_t chunk = 0;
    for (std::size_t j = first; j < first + count; ++j) chunk += pieces[j].iov_len;
    msghdr message{};
    message.msg_iov = const_cast<iovec*>(pieces.data() + first);
    message.msg_iovlen = count;
    ssize_t sent;
    do {
      sent = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      close();  // reset or broken pipe: the stream is over
      return;
    }
    written += static_cast<std::size_t>(sent);
    if (static_cast<std::size_t>(sent) < chunk) break;  // the socket buffer is full
  }
  if (written == total) return;
  if (hold(pieces, written, total)) start_write();
}

bool Client::hold(std::span<const iovec> pieces, std::size_t skip, std::size_t total) {
  if (held_bytes() + (total - skip) > send_limit_) {
    close();  // fell behind past the bound: dropped; the SDK reconnects
    return false;
  }
  if (pending_.capacity() < pending_.size() + total - skip) {
    pending_.reserve(pending_.size() + total - skip);
  }
  for (const iovec& piece : pieces) {
    const char* bytes = static_cast<const char*>(piece.iov_base);
    if (skip >= piece.iov_len) {
      skip -= piece.iov_len;
      continue;
    }
    pending_.append(bytes + skip, piece.iov_len - skip);
    skip = 0;
  }
  return true;
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
        // What queued behind the write leaves now, in order.
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
