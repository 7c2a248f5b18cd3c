#include "readiness_set.hpp"

#include <sys/epoll.h>

#include <stdexcept>

#include "sse_client.hpp"

namespace rtbench {

namespace {
constexpr int kBatch = 256;

int new_epoll_set() {
  const int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::runtime_error("epoll_create1 failed");
  return fd;
}
}  // namespace

ReadinessSet::ReadinessSet(boost::asio::io_context& context) : set_(context, new_epoll_set()) {
  await_ready();
}

bool ReadinessSet::add(int fd, SseClient& client) {
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
  event.data.ptr = &client;
  return epoll_ctl(set_.native_handle(), EPOLL_CTL_ADD, fd, &event) == 0;
}

void ReadinessSet::stop() {
  stopped_ = true;
  boost::system::error_code ignored;
  set_.close(ignored);
}

void ReadinessSet::await_ready() {
  set_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [this](const boost::system::error_code& error) {
                    if (error || stopped_) return;
                    dispatch_ready();
                    await_ready();
                  });
}

void ReadinessSet::dispatch_ready() {
  // Drains what is ready now; a stream ended by its handler is closed, which removes it from
  // the set, and its object lives on (LoadThread keeps every client), so a report of it later
  // in the same batch finds it closed and is ignored.
  epoll_event events[kBatch];
  int ready;
  do {
    ready = epoll_wait(set_.native_handle(), events, kBatch, 0);
    for (int i = 0; i < ready; ++i) static_cast<SseClient*>(events[i].data.ptr)->on_ready();
  } while (ready == kBatch);
}

}  // namespace rtbench
