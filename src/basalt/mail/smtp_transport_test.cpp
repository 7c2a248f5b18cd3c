// The real libcurl transport against a loopback port nobody listens on: a failure the outbox
// may retry, reported without the credentials it was given.
#include "basalt/mail/smtp_transport.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace basalt::mail {
namespace {

// A loopback port that was free a moment ago and has no listener now.
int closed_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

TEST(SmtpTransport, ARefusedConnectionIsTransientAndNamesNoSecret) {
  SmtpConfig config;
  config.host = "127.0.0.1";
  config.port = closed_loopback_port();
  config.username = "mailer-user";
  config.password = "s3cret-password";
  const SendOutcome outcome =
      smtp_send(config, "from@example.com", {"to@example.com"}, "Subject: x\r\n\r\nbody\r\n");
  EXPECT_FALSE(outcome.sent);
  EXPECT_TRUE(outcome.transient) << outcome.error;
  EXPECT_FALSE(outcome.error.empty());
  EXPECT_EQ(outcome.error.find("s3cret-password"), std::string::npos);
  EXPECT_EQ(outcome.error.find("mailer-user"), std::string::npos);
}

// A server that accepts and then says nothing: a cancel ends the session long before its
// timeout (the outbox's stop).
TEST(SmtpTransport, ACancelAbandonsASilentServer) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 1), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

  std::atomic<bool> cancel{true};  // already cancelled: the first progress check aborts
  SmtpConfig config;
  config.host = "127.0.0.1";
  config.port = ntohs(address.sin_port);
  config.timeout = std::chrono::seconds(600);
  config.cancel = &cancel;
  const SendOutcome outcome =
      smtp_send(config, "from@example.com", {"to@example.com"}, "Subject: x\r\n\r\nbody\r\n");
  ::close(listener);
  EXPECT_FALSE(outcome.sent);
  EXPECT_FALSE(outcome.transient) << outcome.error;
}

}  // namespace
}  // namespace basalt::mail
