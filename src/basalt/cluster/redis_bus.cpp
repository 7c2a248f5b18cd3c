#include "basalt/cluster/redis_bus.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <stdexcept>

namespace basalt::cluster {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kConnectTimeout{5000};
constexpr milliseconds kCommandTimeout{10000};
constexpr milliseconds kIdlePing{15000};
constexpr milliseconds kSilenceLimit{30000};

timeval to_timeval(milliseconds value) {
  return timeval{static_cast<time_t>(value.count() / 1000),
                 static_cast<suseconds_t>((value.count() % 1000) * 1000)};
}

struct ReplyDeleter {
  void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* context) const noexcept { redisFree(context); }
};

}  // namespace

// One hiredis connection (blocking mode, socket timeouts set). Transport thread only.
class RedisBus::Connection {
 public:
  explicit Connection(const BusEndpoint& endpoint) {
    const timeval connect_timeout = to_timeval(kConnectTimeout);
    // Owned at once: a constructor that throws below (a refused connection) still frees it.
    context_.reset(redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, connect_timeout));
    if (context_ == nullptr) throw std::runtime_error("cannot allocate a Redis connection");
    if (context_->err != 0) check_context("cannot connect");
    const timeval command_timeout = to_timeval(kCommandTimeout);
    if (redisSetTimeout(context_.get(), command_timeout) != REDIS_OK)
      check_context("cannot connect");
    if (!endpoint.password.empty()) {
      // AUTH [user] password; the password travels as an argument, never in a format string.
      Reply reply = endpoint.user.empty()
                        ? command("AUTH %b", endpoint.password.data(), endpoint.password.size())
                        : command("AUTH %b %b", endpoint.user.data(), endpoint.user.size(),
                                  endpoint.password.data(), endpoint.password.size());
      if (reply->type == REDIS_REPLY_ERROR) throw std::runtime_error("Redis refused AUTH");
    }
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const noexcept { return context_->fd; }

  // A blocking command; throws when the connection fails. A reply of type error is returned.
  template <typename... Args>
  Reply command(const char* format, Args... args) {
    auto* reply = static_cast<redisReply*>(redisCommand(context_.get(), format, args...));
    if (reply == nullptr) check_context("connection lost");
    return Reply(reply);
  }

  // Queues a command without waiting for its reply (the subscriber's PING).
  template <typename... Args>
  void send(const char* format, Args... args) {
    if (redisAppendCommand(context_.get(), format, args...) != REDIS_OK)
      check_context("cannot send");
    int done = 0;
    while (done == 0) {
      if (redisBufferWrite(context_.get(), &done) != REDIS_OK) check_context("cannot send");
    }
  }

  // Reads what the socket holds (poll() said it is readable).
  void read_available() {
    if (redisBufferRead(context_.get()) != REDIS_OK) check_context("connection lost");
  }

  // The next complete reply already read, or null.
  Reply next_reply() {
    void* reply = nullptr;
    if (redisGetReplyFromReader(context_.get(), &reply) != REDIS_OK) check_context("bad reply");
    return Reply(static_cast<redisReply*>(reply));
  }

 private:
  void check_context(std::string_view what) {
    if (context_->err != 0) {
      throw std::runtime_error(fmt::format("{}: {}", what, context_->errstr));
    }
    throw std::runtime_error(std::string(what));
  }

  std::unique_ptr<redisContext, ContextDeleter> context_;
};

RedisBus::RedisBus(BusEndpoint endpoint) : endpoint_(std::move(endpoint)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error("cluster bus: cannot create an eventfd");
}

RedisBus::~RedisBus() {
  stop();
  ::close(wake_fd_);
}

void RedisBus::subscribe(std::string topic, Handler handler) {
  messages_.subscribe(std::move(topic), std::move(handler));
}

void RedisBus::on_resync(std::function<void()> handler) {
  messages_.on_resync(std::move(handler));
}

bool RedisBus::publish(std::string_view topic, std::string body) {
  bool wake = false;
  if (!messages_.queue(topic, body, wake)) return false;
  if (wake) signal_wake();
  return true;
}

void RedisBus::signal_wake() {
  const std::uint64_t one = 1;
  // Fails only when the counter is at its maximum: the thread is woken all the same.
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

void RedisBus::start() {
  if (transport_thread_.joinable()) return;
  std::future<void> attempted = first_attempt_.get_future();
  bus_thread_ = std::thread([this] { context_.run(); });
  transport_thread_ = std::thread([this] { transport(); });
  attempted.wait();
}

void RedisBus::stop() {
  stopping_ = true;
  if (transport_thread_.joinable()) {
    signal_wake();
    transport_thread_.join();
  }
  work_.reset();
  context_.stop();
  if (bus_thread_.joinable()) bus_thread_.join();
}

void RedisBus::pause(milliseconds delay) {
  const auto until = Clock::now() + delay;
  while (!stopping_) {
    const auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    if (left <= milliseconds::zero()) return;
    // A publish() wakes this wait too; its message waits for the session (invariant 2).
    pollfd wake{wake_fd_, POLLIN, 0};
    if (::poll(&wake, 1, static_cast<int>(left.count())) > 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto got = ::read(wake_fd_, &count, sizeof count);
    }
  }
}

void RedisBus::announce_first_attempt() {
  if (first_attempt_announced_) return;
  first_attempt_announced_ = true;
  first_attempt_.set_value();
}

void RedisBus::transport() {
  ReconnectBackoff backoff;
  while (!stopping_) {
    milliseconds delay{0};
    try {
      Connection subscriber(endpoint_);
      Connection publisher(endpoint_);
      const std::string& channel = endpoint_.channel;
      subscriber.send("SUBSCRIBE %b", channel.data(), channel.size());
      backoff.reset();
      serve(subscriber, publisher);  // the SUBSCRIBE confirmation arrives there
      announce_first_attempt();
      return;  // stopping
    } catch (const std::exception& error) {
      if (stopping_) {
        announce_first_attempt();
        return;
      }
      delay = backoff.next();
      spdlog::warn("cluster bus: Redis at {}: {}; again in {} ms", endpoint_.masked(), error.what(),
                   delay.count());
      announce_first_attempt();  // after the warning: start() returns with it logged
    }
    pause(delay);
  }
}

void RedisBus::serve(Connection& subscriber, Connection& publisher) {
  bool subscribed = false;
  auto last_heard = Clock::now();
  auto last_ping = Clock::now();
  while (!stopping_) {
    // Publish first: what publish() queued (a wake-up may be pending from before).
    messages_.woken();
    for (const std::string& payload : messages_.take_payloads()) {
      const std::string& channel = endpoint_.channel;
      Reply reply = publisher.command("PUBLISH %b %b", channel.data(), channel.size(),
                                      payload.data(), payload.size());
      if (reply->type == REDIS_REPLY_ERROR) {
        spdlog::warn("cluster bus: Redis refused a payload of {} bytes: {}", payload.size(),
                     std::string(reply->str, reply->len));
      }
    }
    // Messages the subscriber has read so far: posted to the bus thread in order.
    while (Reply reply = subscriber.next_reply()) {
      last_heard = Clock::now();
      if (reply->type == REDIS_REPLY_ERROR) {
        // SUBSCRIBE refused (NOAUTH after a restart with a password, an ACL): ignored, the
        // session would look alive, hear nothing and never resync. A new one is made instead.
        throw std::runtime_error("Redis refused SUBSCRIBE: " + std::string(reply->str, reply->len));
      }
      if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3) continue;
      // ["subscribe", channel, count] confirms; ["message", channel, payload] carries one.
      const redisReply* kind = reply->element[0];
      const redisReply* data = reply->element[2];
      if (kind->type != REDIS_REPLY_STRING) continue;
      const std::string_view word(kind->str, kind->len);
      if (word == "subscribe" && !subscribed) {
        // Counted once the server confirmed: from here on no message of the channel is missed.
        subscribed = true;
        if (++sessions_ > 1) {
          // Said once the handlers ran (realtime streams closed, reloads started): whoever
          // waits for the line may rely on it (a stream opened after it is not closed by it).
          asio::post(context_, [this] {
            messages_.resync();
            spdlog::info("cluster bus: subscribed to Redis again; everything is reloaded");
          });
        }
        announce_first_attempt();
      } else if (word == "message" && data->type == REDIS_REPLY_STRING) {
        asio::post(context_, [this, payload = std::string(data->str, data->len)] {
          messages_.dispatch(payload);
        });
      }
    }
    const auto now = Clock::now();
    if (now - last_heard > kSilenceLimit) throw std::runtime_error("no answer to PING in time");
    if (now - last_ping >= kIdlePing) {
      subscriber.send("PING");  // answered as ["pong", ""] while subscribed
      const Reply pong = publisher.command("PING");
      last_ping = now;
    }
    const auto until_ping = std::chrono::duration_cast<milliseconds>(kIdlePing - (now - last_ping));
    pollfd waits[2] = {{subscriber.fd(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready =
        ::poll(waits, 2, static_cast<int>(std::max<std::int64_t>(until_ping.count(), 1)));
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (ready <= 0) continue;
    if ((waits[1].revents & POLLIN) != 0) {
      std::uint64_t count = 0;
      [[maybe_unused]] const auto got = ::read(wake_fd_, &count, sizeof count);
    }
    if ((waits[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) subscriber.read_available();
  }
}

}  // namespace basalt::cluster
