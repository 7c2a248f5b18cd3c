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
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "basalt/events/curl_transport.hpp"
#include "basalt/events/destination_spec.hpp"
#include "basalt/events/plain_http_transport.hpp"
#include "basalt/events/webhook_sender.hpp"
#include "basalt/events/webhook_signature.hpp"

namespace basalt::events {
namespace {

// What a receiver answers: `answer` (raw HTTP) to each request, then closes the connection
// when `close_after`; a `silent` receiver reads the request and never answers.
struct Script {
  std::string answer;
  bool close_after = true;
  bool silent = false;
  // A slow receiver: the answer to request i is sent in parts, each after its pause (the
  // scenario under test, not a wait for the sender); requests past the list get `answer`.
  std::vector<std::vector<std::pair<std::chrono::milliseconds, std::string>>> slow_answers;
};

std::string plain_answer(int status, bool keep_alive) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 7\r\n" +
         (keep_alive ? "" : "Connection: close\r\n") + "\r\nanswer!";
}

// Answers each request with `status` and remembers the request's text: one request per
// connection (Connection: close), or with `keep_alive` every request a connection sends; or
// as a Script says.
class LoopbackReceiver {
 public:
  explicit LoopbackReceiver(int status, bool keep_alive = false)
      : LoopbackReceiver(Script{plain_answer(status, keep_alive), !keep_alive}) {}
  explicit LoopbackReceiver(Script script) : script_(std::move(script)) {
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
      while (serve_one(client, pending) && !script_.close_after) {
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
    if (script_.silent) {
      // Never answers: waits for the client to give up and close.
      while (::recv(client, buffer, sizeof buffer, 0) > 0) {
      }
      return false;
    }
    const std::size_t index = requests().size() - 1;
    if (index < script_.slow_answers.size()) {
      for (const auto& [pause, part] : script_.slow_answers[index]) {
        std::this_thread::sleep_for(pause);
        ::send(client, part.data(), part.size(), MSG_NOSIGNAL);
      }
      return true;
    }
    ::send(client, script_.answer.data(), script_.answer.size(), MSG_NOSIGNAL);
    return true;
  }

  Script script_;
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

// Every sender test runs over both transports (webhook_transport.hpp): the plain HTTP/1.1
// client that http:// URLs get, and libcurl, which https:// URLs get.
class WebhookSenderTest : public ::testing::TestWithParam<bool> {
 protected:
  bool curl() const { return GetParam(); }
  std::unique_ptr<WebhookSender> sender_for(WebhookTarget target, bool allow_private) const {
    if (!curl()) {
      EXPECT_TRUE(plain_http_origin(target.url).has_value()) << target.url;
      return std::make_unique<WebhookSender>(std::move(target), allow_private);
    }
    auto transport = std::make_unique<CurlTransport>(target.url, allow_private,
                                                     target.connect_timeout, target.total_timeout);
    return std::make_unique<WebhookSender>(std::move(target), std::move(transport));
  }
};

INSTANTIATE_TEST_SUITE_P(Transports, WebhookSenderTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? std::string("Curl") : std::string("PlainHttp");
                         });

TEST_P(WebhookSenderTest, PostsTheSignedPayloadAndReportsDelivered) {
  LoopbackReceiver receiver(204);
  auto sender = sender_for(target_for(receiver.url()), true);
  const DeliveryResult result = sender->deliver(sample_event());
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

TEST_P(WebhookSenderTest, KeepsItsConnectionBetweenDeliveriesAndOpensACheckedOneWhenItIsGone) {
  // One sender (one destination) keeps its transport and so its connection: three deliveries,
  // one connection. A receiver that closes after each answer makes every delivery open a new
  // connection, each one through the outbound guard (a connection is only ever reused to the
  // address that was checked when it was opened).
  LoopbackReceiver kept(200, true);
  auto sender = sender_for({.url = kept.url(), .key = std::string(kSecretKeyBytes, 'k')}, true);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sender->deliver(sample_event()).outcome, DeliveryResult::Outcome::kDelivered);
  }
  EXPECT_EQ(kept.requests().size(), 3u);
  EXPECT_EQ(kept.connections(), 1);

  LoopbackReceiver closing(200);
  auto reconnecting =
      sender_for({.url = closing.url(), .key = std::string(kSecretKeyBytes, 'k')}, true);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(reconnecting->deliver(sample_event()).outcome, DeliveryResult::Outcome::kDelivered);
  }
  EXPECT_EQ(closing.connections(), 2);
  // The same kind of sender without allow_private: its first (and every) connection is checked.
  auto guarded =
      sender_for({.url = closing.url(), .key = std::string(kSecretKeyBytes, 'k')}, false);
  for (int i = 0; i < 2; ++i) {
    const DeliveryResult refused = guarded->deliver(sample_event());
    EXPECT_EQ(refused.outcome, DeliveryResult::Outcome::kReject);
    EXPECT_NE(refused.detail.find("loopback"), std::string::npos);
  }
  EXPECT_EQ(closing.connections(), 2);
}

TEST_P(WebhookSenderTest, MapsStatusesToRetryAndReject) {
  for (const auto& [status, outcome] : std::vector<std::pair<int, DeliveryResult::Outcome>>{
           {503, DeliveryResult::Outcome::kRetry},
           {429, DeliveryResult::Outcome::kRetry},
           {408, DeliveryResult::Outcome::kRetry},
           {400, DeliveryResult::Outcome::kReject},
           {301, DeliveryResult::Outcome::kReject}}) {
    LoopbackReceiver receiver(status);
    auto sender = sender_for(target_for(receiver.url()), true);
    const DeliveryResult result = sender->deliver(sample_event());
    EXPECT_EQ(result.outcome, outcome) << status;
    EXPECT_EQ(result.status, status);
    EXPECT_EQ(result.detail, "answer!");
  }
}

TEST_P(WebhookSenderTest, RefusesLoopbackUnlessAllowedAndRetriesAClosedPort) {
  LoopbackReceiver receiver(200);
  auto guarded = sender_for(target_for(receiver.url()), false);
  const DeliveryResult refused = guarded->deliver(sample_event());
  EXPECT_EQ(refused.outcome, DeliveryResult::Outcome::kReject);
  EXPECT_NE(refused.detail.find("loopback"), std::string::npos) << refused.detail;
  EXPECT_TRUE(receiver.requests().empty());
  // A name resolving to loopback is refused the same way (checked after resolution).
  auto named = sender_for(target_for("http://localhost:1/hook"), false);
  EXPECT_EQ(named->deliver(sample_event()).outcome, DeliveryResult::Outcome::kReject);
  auto metadata = sender_for(target_for("http://169.254.169.254/latest/meta-data/"), false);
  const DeliveryResult link_local = metadata->deliver(sample_event());
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
  auto allowed =
      sender_for(target_for("http://127.0.0.1:" + std::to_string(closed_port) + "/"), true);
  EXPECT_EQ(allowed->deliver(sample_event()).outcome, DeliveryResult::Outcome::kRetry);
}

TEST_P(WebhookSenderTest, ReadsChunkedInterimAndCloseDelimitedAnswers) {
  const std::vector<std::pair<std::string, std::string>> answers = {
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nans\r\n4\r\nwer!\r\n0\r\n\r\n",
       "answer!"},
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", "ok"},
      {"HTTP/1.0 202 Accepted\r\n\r\nuntil the end", "until the end"},
  };
  for (const auto& [answer, excerpt] : answers) {
    LoopbackReceiver receiver(Script{answer});
    auto sender = sender_for(target_for(receiver.url()), true);
    const DeliveryResult result = sender->deliver(sample_event());
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::kDelivered) << answer << result.detail;
    EXPECT_EQ(result.detail, excerpt);
  }
}

TEST_P(WebhookSenderTest, ReadsAtMost64KiBOfAnAnswerAndKeepsItsStatus) {
  // 100,000 bytes announced and sent: the sender stops after 64 KiB, and the status decides.
  const std::string big(100000, 'x');
  for (const auto& [status, outcome] : std::vector<std::pair<int, DeliveryResult::Outcome>>{
           {200, DeliveryResult::Outcome::kDelivered}, {400, DeliveryResult::Outcome::kReject}}) {
    LoopbackReceiver receiver(Script{"HTTP/1.1 " + std::to_string(status) +
                                     " X\r\nContent-Length: 100000\r\n\r\n" + big});
    auto sender = sender_for(target_for(receiver.url()), true);
    const DeliveryResult result = sender->deliver(sample_event());
    EXPECT_EQ(result.outcome, outcome) << result.detail;
    EXPECT_EQ(result.status, status);
    EXPECT_LE(result.detail.size(), kExcerptBytes);
  }
}

TEST_P(WebhookSenderTest, RetriesAMalformedOrMissingAnswer) {
  std::vector<std::string> answers = {"this is not http\r\n\r\n"};
  // A header cut short by the receiver's close: libcurl takes its status line as the answer, the
  // plain client does not (the receiver never finished answering; at least once retries).
  if (!curl()) answers.push_back("HTTP/1.1 200 OK\r\nContent-Len");
  for (const std::string& answer : answers) {
    LoopbackReceiver receiver(Script{answer});
    auto sender = sender_for(target_for(receiver.url()), true);
    const DeliveryResult result = sender->deliver(sample_event());
    EXPECT_EQ(result.outcome, DeliveryResult::Outcome::kRetry) << answer;
    EXPECT_EQ(result.status, 0);
    EXPECT_FALSE(result.detail.empty());
  }
}

TEST_P(WebhookSenderTest, GivesUpOnASilentReceiverAfterTheTotalTimeout) {
  LoopbackReceiver receiver(Script{.silent = true});
  WebhookTarget target = target_for(receiver.url());
  target.total_timeout = std::chrono::milliseconds(200);
  auto sender = sender_for(std::move(target), true);
  const DeliveryResult result = sender->deliver(sample_event());
  EXPECT_EQ(result.outcome, DeliveryResult::Outcome::kRetry);
  EXPECT_EQ(result.status, 0);
  EXPECT_EQ(receiver.requests().size(), 1u);
}

TEST_P(WebhookSenderTest, ReplacesAKeptConnectionTheReceiverClosed) {
  // The answer does not say "Connection: close", but the receiver closes after it: the sender
  // finds its kept connection gone on the next delivery and sends again on a new one.
  LoopbackReceiver receiver(Script{plain_answer(200, true), true});
  auto sender = sender_for(target_for(receiver.url()), true);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sender->deliver(sample_event()).outcome, DeliveryResult::Outcome::kDelivered) << i;
  }
  EXPECT_EQ(receiver.requests().size(), 3u);
  EXPECT_EQ(receiver.connections(), 3);
}

TEST(PlainHttpTransport, RefusesAnEndlessChunkLineOrTrailerAtOnce) {
  // Beast's parser limits a header, not a chunk-size line or a trailer: the transport bounds
  // what waits unparsed, so a receiver cannot make it buffer without end until the timeout.
  const std::string endless(200000, 'a');
  for (const std::string& answer :
       {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + endless,
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Trailer: " + endless}) {
    LoopbackReceiver receiver(Script{answer, false});
    PlainHttpTransport transport(*plain_http_origin(receiver.url()), true, std::chrono::seconds(5),
                                 std::chrono::seconds(60));
    const WebhookResponse response = transport.post({{}, "{}"});
    EXPECT_EQ(response.status, 0);
    EXPECT_NE(response.error.find("over 16 KiB"), std::string::npos) << response.error;
  }
}

TEST(PlainHttpTransport, ASlowAnswerDoesNotShortenTheNextPostsTimeout) {
  // The first answer comes in three parts, 0.9 s apart: the transport lowers its socket
  // timeouts to the time left (≈ 2.1 s of 3 s). The second answer takes 2.55 s on the same
  // connection: within its own 3 s, so it must arrive rather than time out at ≈ 2.1 s.
  using std::chrono::milliseconds;
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n";
  Script script{head + "done", false};
  script.slow_answers = {
      {{milliseconds(0), head}, {milliseconds(900), "do"}, {milliseconds(900), "ne"}},
      {{milliseconds(2550), head + "done"}}};
  LoopbackReceiver receiver(std::move(script));
  PlainHttpTransport transport(*plain_http_origin(receiver.url()), true, std::chrono::seconds(1),
                               std::chrono::seconds(3));
  for (int i = 0; i < 2; ++i) {
    const WebhookResponse response = transport.post({{}, "{}"});
    EXPECT_EQ(response.status, 200) << i << ": " << response.error;
    EXPECT_EQ(response.excerpt, "done");
  }
  EXPECT_EQ(receiver.connections(), 1);
  EXPECT_EQ(receiver.requests().size(), 2u);
}

TEST(PlainHttpTransport, ChecksAnIdleKeptConnectionBeforeReusingIt) {
  // 0.3 s after its answer the receiver sends a 408 nobody asked for and closes, as some
  // servers do when they drop an idle connection. The sender, idle past its one-second check, sees
  // the connection readable and opens a fresh one, instead of reading that 408 as the next answer.
  using std::chrono::milliseconds;
  const std::string answer = plain_answer(200, true);
  Script script{answer, true};
  script.slow_answers = {
      {{milliseconds(0), answer},
       {milliseconds(300), "HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n"}}};
  LoopbackReceiver receiver(std::move(script));
  PlainHttpTransport transport(*plain_http_origin(receiver.url()), true, std::chrono::seconds(5),
                               std::chrono::seconds(10));
  EXPECT_EQ(transport.post({{}, "{}"}).status, 200);
  std::this_thread::sleep_for(milliseconds(1200));  // the idle time under test
  const WebhookResponse second = transport.post({{}, "{}"});
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_EQ(receiver.connections(), 2);
}

TEST(PlainHttpOrigin, TakesHttpUrlsAndLeavesTheRestToLibcurl) {
  const auto full = plain_http_origin("http://127.0.0.1:8080/hook/in?team=blue#part");
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->host, "127.0.0.1");
  EXPECT_EQ(full->port, 8080);
  EXPECT_EQ(full->host_header, "127.0.0.1:8080");
  EXPECT_EQ(full->target, "/hook/in?team=blue");
  const auto bare = plain_http_origin("http://Example.com");
  ASSERT_TRUE(bare.has_value());
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->target, "/");
  EXPECT_EQ(bare->host_header, bare->host);
  const auto v6 = plain_http_origin("http://[::1]:9/x");
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header, "[::1]:9");
  EXPECT_FALSE(plain_http_origin("https://example.com/hook").has_value());
  EXPECT_FALSE(plain_http_origin("http://user:secret@example.com/").has_value());
  EXPECT_FALSE(plain_http_origin("http://bücher.example/").has_value());
  EXPECT_FALSE(plain_http_origin("not a url").has_value());
  EXPECT_FALSE(plain_http_origin("http://example.com:0/").has_value());
  EXPECT_FALSE(plain_http_origin("http://[fe80::1%25eth0]/").has_value());  // a zone
  EXPECT_FALSE(plain_http_origin("http://example.com/caf\xc3\xa9").has_value());
}

}  // namespace
}  // namespace basalt::events
