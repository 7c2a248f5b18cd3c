#include "basalt/brokers/send_watchdog.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

namespace basalt::brokers {
namespace {

// A blocking read with nothing to read stands in for a send the peer never takes: the watch's
// deadline ends it (the socket is shut down), and only then.
TEST(SendWatchTest, ABlockedCallEndsWhenTheDeadlinePasses) {
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
  {
    const SendWatch watch(pair[0],
                          std::chrono::steady_clock::now() + std::chrono::milliseconds(50));
    char byte = 0;
    EXPECT_EQ(::recv(pair[0], &byte, 1, 0), 0);  // blocks until the shutdown: end of stream
    EXPECT_TRUE(watch.fired());
  }
  // A watch that ended before its deadline leaves its socket alone.
  {
    const SendWatch watch(pair[1], std::chrono::steady_clock::now() + std::chrono::hours(1));
    EXPECT_FALSE(watch.fired());
  }
  EXPECT_EQ(::send(pair[1], "x", 1, MSG_NOSIGNAL), -1);  // pair[0] was shut down: EPIPE
  ::close(pair[0]);
  ::close(pair[1]);
}

}  // namespace
}  // namespace basalt::brokers
