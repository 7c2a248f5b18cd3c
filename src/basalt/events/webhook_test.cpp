// The webhook sender against a real HTTP receiver on loopback (a blocking socket server on a
// thread of the test), the Standard Webhooks signature against the specification's own test
// vector, and the outbound guard as the sender applies it.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "basalt/events/destination_spec.hpp"
#include "basalt/events/webhook_sender.hpp"
#include "basalt/events/webhook_signature.hpp"

namespace basalt::events {
namespace {

// Answers each request with `status` and remembers the request's text: one request per
// connection (Connection: close), or with `keep_alive` every request a connection sends.
class LoopbackReceiver {
 public:
  explicit LoopbackReceiver(int status, bool keep_alive = false)
      : status_(status), keep_alive_(keep_alive) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(fd_, 8);
    socklen_t length = sizeof address;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LoopbackReceiver() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  int connections() {
    std::lock_guard lock(mutex_);
    return connections_;
  }

 private:
  void serve() {
    while (true) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      {
        std::lock_guard lock(mutex_);
        ++connections_;
      }
      std::string pending;  // bytes read past the request before (keep-alive)
      while (serve_one(client, pending) && keep_alive_) {
      }
      ::close(client);
    }
  }

  // Reads one request and answers it; false once the client closed the connection.
  bool serve_one(int client, std::string& pending) {
    std::string request = std::move(pending);
    pending.clear();
    char buffer[4096];
    std::size_t wanted = std::string::npos;
    while (true) {
      const std::size_t end = request.find("\r\n\r\n");
      if (end != std::string::npos && wanted == std::string::npos) {
        const std::size_t at = request.find("Content-Length: ");
        const std::size_t length =
            at == std::string::npos || at > end ? 0 : std::stoul(request.substr(at + 16));
        wanted = end + 4 + length;
      }
      if (wanted != std::string::npos && request.size() >= wanted) break;
      const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
      if (got <= 0) return false;
      request.append(buffer, static_cast<std::size_t>(got));
    }
    pending = request.substr(wanted);
    request.resize(wanted);
    {
      std::lock_guard lock(mutex_);
      requests_.push_back(request);
    }
    const std::string answer = "HTTP/1.1 " + std::to_string(status_) +
                               " X\r\nContent-Length: 7\r\n" +
                               (keep_alive_ ? "" : "Connection: close\r\n") + "\r\nanswer!";
    ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
    return true;
  }

  int status_;
  bool keep_alive_;
  int connections_ = 0;
  int fd_ = -1;
  unsigned port_ = 0;
  std::mutex mutex_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

OutboxEvent sample_event() {
  OutboxEvent event;
  event.sequence = 7;
  event.event_id = "evt_0123456789abcdef0123456789abcdef";
  event.action = "create";
  event.collection_id = "pbc_posts";
  event.collection_name = "posts";
  event.record_json = R"({"id":"abc","title":"hello"})";
  event.committed_at = "2026-12-06 23:40:00.123Z";
  return event;
}

std::string header_of(const std::string& request, const std::string& name) {
  const std::size_t at = request.find("\r\n" + name + ": ");
  if (at == std::string::npos) return {};
  const std::size_t start = at + 4 + name.size();
  return request.substr(start, request.find("\r\n", start) - start);
}

TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
  // The test vector of the Standard Webhooks specification's reference libraries.
  const auto key = webhook_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(webhook_signature(*key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                              R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

TEST(WebhookSignature, GeneratedSecretsAreValidAndDistinct) {
  const std::string a = generate_webhook_secret();
  const std::string b = generate_webhook_secret();
  EXPECT_TRUE(a.starts_with("whsec_"));
  EXPECT_NE(a, b);
  ASSERT_TRUE(webhook_secret_key(a).has_value());
  EXPECT_EQ(webhook_secret_key(a)->size(), kSecretKeyBytes);
  EXPECT_FALSE(webhook_secret_key("whsec_c2hvcnQ=").has_value());  // 5 bytes: too short
  EXPECT_FALSE(webhook_secret_key("nope_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").has_value());
  EXPECT_FALSE(webhook_secret_key("whsec_***").has_value());
}

TEST(WebhookConfig, ValidationNamesEachBadFieldAndGeneratesASecret) {
  boost::json::object good{{"url", "https://example.com/hook"}};
  EXPECT_TRUE(validate_destination_config("webhook", good).empty());
  EXPECT_TRUE(good.at("secret").as_string().starts_with("whsec_"));
  boost::json::object bad{{"url", "ftp://x"},
                          {"secret", "whsec_short"},
                          {"headers", boost::json::object{{"webhook-id", "x"}}}};
  const boost::json::object errors = validate_destination_config("webhook", bad);
  EXPECT_TRUE(errors.contains("url"));
  EXPECT_TRUE(errors.contains("secret"));
  EXPECT_TRUE(errors.contains("headers"));
  boost::json::object credentials{{"url", "https://user:pass@example.com/"}};
  EXPECT_TRUE(validate_destination_config("webhook", credentials).contains("url"));
  boost::json::object any;
  EXPECT_TRUE(validate_destination_config("kafka", any).contains("type"));
}

WebhookTarget target_for(const std::string& url) {
  WebhookTarget target;
  target.url = url;
  target.key = *webhook_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  target.headers = {{"X-Team", "blue"}};
  return target;
}

TEST(WebhookSender, PostsTheSignedPayloadAndReportsDelivered) {
  LoopbackReceiver receiver(204);
  WebhookSender sender(target_for(receiver.url()), true);
  const DeliveryResult result = sender.deliver(sample_event());
  EXPECT_EQ(result.outcome, DeliveryResult::Outcome::kDelivered) << result.detail;
  EXPECT_EQ(result.status, 204);
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 1u);
  const std::string& request = requests[0];
  const std::string body = request.substr(request.find("\r\n\r\n") + 4);
  const boost::json::value payload = boost::json::parse(body);
  EXPECT_EQ(payload.at("id").as_string(), "evt_0123456789abcdef0123456789abcdef");
  EXPECT_EQ(payload.at("type").as_string(), "record.create");
  EXPECT_EQ(payload.at("timestamp").as_string(), "2026-12-06T23:40:00.123Z");
  EXPECT_EQ(payload.at("data").at("collection").at("name").as_string(), "posts");
  EXPECT_EQ(payload.at("data").at("record").at("title").as_string(), "hello");
  EXPECT_EQ(header_of(request, "webhook-id"), "evt_0123456789abcdef0123456789abcdef");
  EXPECT_EQ(header_of(request, "X-Team"), "blue");
  const std::string stamp = header_of(request, "webhook-timestamp");
  ASSERT_FALSE(stamp.empty());
  const std::string expected =
      webhook_signature(*webhook_secret_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                        "evt_0123456789abcdef0123456789abcdef", std::stoll(stamp), body);
  EXPECT_EQ(header_of(request, "webhook-signature"), expected);
}

TEST(WebhookSender, KeepsItsConnectionBetweenDeliveriesAndOpensACheckedOneWhenItIsGone) {
  // One sender (one destination) keeps its libcurl handle and so its connection: three
  // deliveries, one connection. A receiver that closes after each answer makes every delivery
  // open a new connection, each one through the outbound guard's socket callback (a connection
  // is only ever reused to the address that was checked when it was opened).
  LoopbackReceiver kept(200, true);
  WebhookSender sender({.url = kept.url(), .key = std::string(kSecretKeyBytes, 'k')}, true);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sender.deliver(sample_event()).outcome, DeliveryResult::Outcome::kDelivered);
  }
  EXPECT_EQ(kept.requests().size(), 3u);
  EXPECT_EQ(kept.connections(), 1);

  LoopbackReceiver closing(200);
  WebhookSender reconnecting({.url = closing.url(), .key = std::string(kSecretKeyBytes, 'k')},
                             true);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(reconnecting.deliver(sample_event()).outcome, DeliveryResult::Outcome::kDelivered);
  }
  EXPECT_EQ(closing.connections(), 2);
  // The same kind of sender without allow_private: its first (and every) connection is checked.
  WebhookSender guarded({.url = closing.url(), .key = std::string(kSecretKeyBytes, 'k')}, false);
  for (int i = 0; i < 2; ++i) {
    const DeliveryResult refused = guarded.deliver(sample_event());
    EXPECT_EQ(refused.outcome, DeliveryResult::Outcome::kReject);
    EXPECT_NE(refused.detail.find("loopback"), std::string::npos);
  }
  EXPECT_EQ(closing.connections(), 2);
}

TEST(WebhookSender, MapsStatusesToRetryAndReject) {
  for (const auto& [status, outcome] : std::vector<std::pair<int, DeliveryResult::Outcome>>{
           {503, DeliveryResult::Outcome::kRetry},
           {429, DeliveryResult::Outcome::kRetry},
           {408, DeliveryResult::Outcome::kRetry},
           {400, DeliveryResult::Outcome::kReject},
           {301, DeliveryResult::Outcome::kReject}}) {
    LoopbackReceiver receiver(status);
    WebhookSender sender(target_for(receiver.url()), true);
    const DeliveryResult result = sender.deliver(sample_event());
    EXPECT_EQ(result.outcome, outcome) << status;
    EXPECT_EQ(result.status, status);
    EXPECT_EQ(result.detail, "answer!");
  }
}

TEST(WebhookSender, RefusesLoopbackUnlessAllowedAndRetriesAClosedPort) {
  LoopbackReceiver receiver(200);
  WebhookSender guarded(target_for(receiver.url()), false);
  const DeliveryResult refused = guarded.deliver(sample_event());
  EXPECT_EQ(refused.outcome, DeliveryResult::Outcome::kReject);
  EXPECT_NE(refused.detail.find("loopback"), std::string::npos) << refused.detail;
  EXPECT_TRUE(receiver.requests().empty());
  // A name resolving to loopback is refused the same way (checked after resolution).
  WebhookSender named(target_for("http://localhost:1/hook"), false);
  EXPECT_EQ(named.deliver(sample_event()).outcome, DeliveryResult::Outcome::kReject);
  WebhookSender metadata(target_for("http://169.254.169.254/latest/meta-data/"), false);
  const DeliveryResult link_local = metadata.deliver(sample_event());
  EXPECT_EQ(link_local.outcome, DeliveryResult::Outcome::kReject);
  EXPECT_NE(link_local.detail.find("link-local"), std::string::npos) << link_local.detail;

  // Allowed: a port nobody listens on is a transport error, retried.
  const int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(probe, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&address), &length);
  const unsigned closed_port = ntohs(address.sin_port);
  ::close(probe);
  WebhookSender allowed(target_for("http://127.0.0.1:" + std::to_string(closed_port) + "/"), true);
  EXPECT_EQ(allowed.deliver(sample_event()).outcome, DeliveryResult::Outcome::kRetry);
}

}  // namespace
}  // namespace basalt::events
