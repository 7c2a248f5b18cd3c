#include "basalt/api/ws_gated_socket.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

namespace basalt::api {

std::string ws_text_frame(std::string_view payload) {
  std::string frame;
  const std::size_t size = payload.size();
  frame.reserve(size + 10);
  frame.push_back(static_cast<char>(0x81));  // FIN, opcode 1 (text)
  if (size < 126) {
    frame.push_back(static_cast<char>(size));
  } else if (size <= 0xFFFF) {
    frame.push_back(static_cast<char>(126));
    frame.push_back(static_cast<char>((size >> 8) & 0xFF));
    frame.push_back(static_cast<char>(size & 0xFF));
  } else {
    frame.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) {
      frame.push_back(static_cast<char>((static_cast<std::uint64_t>(size) >> shift) & 0xFF));
    }
  }
  frame.append(payload);
  return frame;
}

std::ptrdiff_t WsGatedSocket::try_send(std::string_view bytes) {
  if (raw_busy_ || beast_busy_ || !socket_.is_open()) return 0;
  ssize_t sent;
  do {
    sent = ::send(socket_.native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
  // Part of the frame: nothing else may write until the writer has sent the rest.
  if (sent > 0 && static_cast<std::size_t>(sent) < bytes.size()) raw_busy_ = true;
  return sent;
}

bool WsGatedSocket::begin_raw() noexcept {
  if (beast_busy_) return false;
  raw_busy_ = true;
  return true;
}

void WsGatedSocket::end_raw() {
  raw_busy_ = false;
  beast_gate_.cancel();
}

}  // namespace basalt::api
