// ReadinessSet: one thread's open streams, watched through an epoll set of its own.
//
// Why not Asio's per-socket wait: a `socket.async_wait(wait_read)` re-arms the socket in the
// reactor with an epoll_ctl(EPOLL_CTL_MOD) every time (Boost 1.81's epoll_reactor::start_op
// does so for any wait), which polls the socket again. At 10,000 streams and a million
// messages a second that was a sixth of the generator's CPU (perf: do_epoll_ctl, sock_poll),
// and the generator shares the two cores with the server it measures. Here each stream is
// added once (edge-triggered); the set's own descriptor is what Asio waits on, re-armed once
// per batch of ready streams, not once per stream.
//
// Edge-triggered contract: a stream is reported when new bytes arrive, so its handler reads
// until a read comes back short (TCP then had nothing more queued; later bytes raise a new
// edge).
//
// Every member runs on the owning LoadThread's thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace rtbench {

class SseClient;

class ReadinessSet {
 public:
  explicit ReadinessSet(boost::asio::io_context& context);
  ReadinessSet(const ReadinessSet&) = delete;
  ReadinessSet& operator=(const ReadinessSet&) = delete;

  // Watches `fd` until it is closed (closing a socket removes it from every epoll set).
  // False when the kernel refused it.
  bool add(int fd, SseClient& client);
  void stop();

 private:
  void await_ready();
  void dispatch_ready();

  boost::asio::posix::stream_descriptor set_;
  bool stopped_ = false;
};

}  // namespace rtbench
