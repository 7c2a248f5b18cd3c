#include "basalt/cluster/pg_notify_bus.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <random>
#include <stdexcept>

#include "basalt/db/database_error.hpp"
#include "basalt/db/postgres/pg_session.hpp"

namespace basalt::cluster {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

constexpr std::string_view kChannel = "basalt_cluster";
// PostgreSQL refuses payloads of 8000 bytes or more; the rest is headroom.
constexpr std::size_t kMaxPayloadBytes = 7900;
constexpr milliseconds kFirstBackoff{100};
constexpr milliseconds kMaxBackoff{2000};
constexpr milliseconds kIdlePing{15000};
// How long the server may take to answer one NOTIFY or ping before the session is given up.
constexpr milliseconds kAnswerDeadline{10000};

std::string random_instance_id() {
  std::random_device device;
  std::uniform_int_distribution<std::uint64_t> draw;
  return fmt::format("{:016x}", draw(device));
}

// Envelope (invariant 1): {"i":"<instance>","m":[{"t":"<topic>","b":<body>},...]} or, after an
// overflow, {"i":"<instance>","resync":true}.
std::string message_text(std::string_view topic, std::string_view body) {
  std::string text = "{\"t\":";
  text += json::serialize(json::string(topic));
  text += ",\"b\":";
  text += body;
  text += '}';
  return text;
}

}  // namespace

// One LISTEN session on the bus thread. Throws db::DatabaseError when the session is lost.
class PgNotifyBus::Session {
 public:
  enum class Ready { kReady, kWoken, kTimedOut };

  Session(PgNotifyBus& bus, db::postgres::PgSession connection)
      : bus_(bus),
        connection_(std::move(connection)),
        socket_(bus.context_, ::dup(PQsocket(connection_.get()))),
        timer_(bus.context_) {
    if (PQsetnonblocking(connection_.get(), 1) != 0) fail("cannot make the session non-blocking");
    // The server's own notices (its shutdown's FATAL among them) would go to stderr; a lost
    // session is logged once, by the bus, from PQerrorMessage.
    PQsetNoticeProcessor(
        connection_.get(), [](void*, const char*) {}, nullptr);
  }

  // Wakes the idle wait (publish() queued a message). Bus thread.
  void wake() {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }

  asio::awaitable<void> serve() {
    for (;;) {
      if (bus_.stopping_) co_return;
      receive();
      std::vector<std::string> payloads = bus_.take_payloads();
      if (!payloads.empty()) {
        for (const std::string& payload : payloads) {
          // Named locals: GCC 12 miscompiles temporaries in a co_await's call.
          const std::string notify = "SELECT pg_notify($1, $2)";
          const std::vector<std::string> params{std::string(kChannel), payload};
          co_await run(notify, params);
        }
        continue;
      }
      const auto readable = asio::posix::stream_descriptor::wait_read;
      const milliseconds idle = kIdlePing;
      const Ready ready = co_await wait(readable, idle);
      if (ready == Ready::kTimedOut) {
        const std::string ping = "SELECT 1";
        const std::vector<std::string> none;
        co_await run(ping, none);
      } else if (ready == Ready::kReady) {
        if (PQconsumeInput(connection_.get()) == 0) fail("connection lost");
      }
    }
  }

 private:
  // Dispatches the notifications libpq has read so far.
  void receive() {
    while (PGnotify* notification = PQnotifies(connection_.get())) {
      const std::string payload(notification->extra);
      PQfreemem(notification);
      bus_.dispatch(payload);
    }
  }

  // Sends one statement and reads its results; notifications read meanwhile are dispatched.
  asio::awaitable<void> run(const std::string& sql, const std::vector<std::string>& params) {
    std::vector<const char*> values;
    for (const std::string& param : params) values.push_back(param.c_str());
    if (PQsendQueryParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0) == 0) {
      fail("cannot send");
    }
    const auto deadline = std::chrono::steady_clock::now() + kAnswerDeadline;
    for (;;) {
      const int flushed = PQflush(connection_.get());
      if (flushed == 0) break;
      if (flushed < 0) fail("cannot send");
      const auto writable = asio::posix::stream_descriptor::wait_write;
      co_await wait_until(writable, deadline);
    }
    for (;;) {
      if (PQconsumeInput(connection_.get()) == 0) fail("connection lost");
      while (PQisBusy(connection_.get()) == 0) {
        PGresult* result = PQgetResult(connection_.get());
        if (result == nullptr) {
          receive();
          co_return;
        }
        const ExecStatusType status = PQresultStatus(result);
        std::string message = PQresultErrorMessage(result);
        PQclear(result);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
          // The statement failed but the session is fine (a bad payload): log, go on.
          spdlog::warn("cluster bus: {} failed: {}", sql, message);
        }
      }
      const auto readable = asio::posix::stream_descriptor::wait_read;
      co_await wait_until(readable, deadline);
    }
  }

  // Waits for the socket, through wake-ups, until `deadline` (then the session is given up).
  asio::awaitable<void> wait_until(asio::posix::stream_descriptor::wait_type type,
                                   std::chrono::steady_clock::time_point deadline) {
    for (;;) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left <= milliseconds::zero()) fail("no answer in time");
      const Ready ready = co_await wait(type, left);
      if (ready == Ready::kReady) co_return;
      if (ready == Ready::kTimedOut) fail("no answer in time");
      if (bus_.stopping_) fail("stopping");
    }
  }

  asio::awaitable<Ready> wait(asio::posix::stream_descriptor::wait_type type, milliseconds limit) {
    // The timer's handler may run after this wait ended (it was already queued when cancelled):
    // it only records which wait expired, never touches this frame.
    const std::uint64_t id = ++waits_;
    timer_.expires_after(limit);
    timer_.async_wait([this, id](boost::system::error_code error) {
      if (error) return;
      expired_wait_ = id;
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    });
    boost::system::error_code error;
    auto token = asio::redirect_error(asio::use_awaitable, error);
    co_await socket_.async_wait(type, token);
    timer_.cancel();
    if (!error) co_return Ready::kReady;
    if (error != asio::error::operation_aborted) fail(error.message());
    co_return expired_wait_ == id ? Ready::kTimedOut : Ready::kWoken;
  }

  [[noreturn]] void fail(std::string_view what) {
    std::string detail = PQerrorMessage(connection_.get());
    for (char& c : detail) {
      if (c == '\n' || c == '\t') c = ' ';  // one log line
    }
    while (!detail.empty() && detail.back() == ' ') detail.pop_back();
    throw db::DatabaseError(fmt::format("{}{}{}", what, detail.empty() ? "" : ": ", detail));
  }

  PgNotifyBus& bus_;
  db::postgres::PgSession connection_;
  asio::posix::stream_descriptor socket_;  // a duplicate of libpq's socket, closed with it
  asio::steady_timer timer_;
  std::uint64_t waits_ = 0;         // waits started
  std::uint64_t expired_wait_ = 0;  // the last wait whose deadline passed
};

PgNotifyBus::PgNotifyBus(std::shared_ptr<const db::postgres::ConnectionSettings> settings)
    : settings_(std::move(settings)), instance_(random_instance_id()) {}

PgNotifyBus::~PgNotifyBus() {
  stop();
}

void PgNotifyBus::subscribe(std::string topic, Handler handler) {
  handlers_[std::move(topic)] = std::move(handler);
}

void PgNotifyBus::on_resync(std::function<void()> handler) {
  resync_handlers_.push_back(std::move(handler));
}

bool PgNotifyBus::publish(std::string_view topic, std::string body) {
  if (body.size() > kMaxMessageBytes) return false;
  std::string message = message_text(topic, body);
  bool post = false;
  {
    std::lock_guard lock(outbox_mutex_);
    if (outbox_.size() >= kMaxQueued) {
      outbox_.clear();
      overflowed_ = true;
    } else {
      outbox_.push_back(std::move(message));
    }
    post = !wake_posted_;
    wake_posted_ = true;
  }
  if (post) {
    asio::post(context_, [this] {
      {
        std::lock_guard lock(outbox_mutex_);
        wake_posted_ = false;
      }
      if (session_ != nullptr) session_->wake();
    });
  }
  return true;
}

std::vector<std::string> PgNotifyBus::take_payloads() {
  std::deque<std::string> messages;
  bool overflowed = false;
  {
    std::lock_guard lock(outbox_mutex_);
    messages.swap(outbox_);
    overflowed = overflowed_;
    overflowed_ = false;
  }
  std::vector<std::string> payloads;
  const std::string head = fmt::format("{{\"i\":\"{}\"", instance_);
  if (overflowed) {
    spdlog::warn("cluster bus: more than {} messages waited; every instance resyncs", kMaxQueued);
    payloads.push_back(head + ",\"resync\":true}");
    return payloads;
  }
  std::string payload;
  for (std::string& message : messages) {
    if (!payload.empty() && payload.size() + message.size() + 2 > kMaxPayloadBytes) {
      payloads.push_back(payload + "]}");
      payload.clear();
    }
    payload += payload.empty() ? head + ",\"m\":[" : ",";
    payload += message;
  }
  if (!payload.empty()) payloads.push_back(payload + "]}");
  return payloads;
}

void PgNotifyBus::dispatch(std::string_view payload) {
  boost::system::error_code error;
  const json::value envelope = json::parse(payload, error);
  const json::object* fields = error ? nullptr : envelope.if_object();
  if (fields == nullptr) {
    spdlog::warn("cluster bus: a payload that is not a JSON object ({} bytes) ignored",
                 payload.size());
    return;
  }
  const json::value* sender = fields->if_contains("i");
  if (sender == nullptr || !sender->is_string() || sender->get_string() == instance_) return;
  if (const json::value* flag = fields->if_contains("resync"); flag && flag->is_bool()) {
    resync();
    return;
  }
  const json::value* messages = fields->if_contains("m");
  if (messages == nullptr || !messages->is_array()) return;
  for (const json::value& message : messages->get_array()) {
    const json::object* parts = message.if_object();
    const json::value* topic = parts ? parts->if_contains("t") : nullptr;
    const json::value* body = parts ? parts->if_contains("b") : nullptr;
    if (topic == nullptr || body == nullptr || !topic->is_string()) continue;
    const auto handler = handlers_.find(std::string(topic->get_string()));
    if (handler == handlers_.end()) continue;
    try {
      handler->second(*body);
    } catch (const std::exception& failure) {
      spdlog::warn("cluster bus: handler of {} failed: {}", std::string(topic->get_string()),
                   failure.what());
    }
  }
}

void PgNotifyBus::resync() {
  for (const auto& handler : resync_handlers_) {
    try {
      handler();
    } catch (const std::exception& failure) {
      spdlog::warn("cluster bus: resync failed: {}", failure.what());
    }
  }
}

void PgNotifyBus::start() {
  if (thread_.joinable()) return;
  std::future<void> attempted = first_attempt_.get_future();
  asio::co_spawn(
      context_,
      [this]() -> asio::awaitable<void> {
        milliseconds backoff = kFirstBackoff;
        std::minstd_rand random(std::random_device{}());
        bool announced = false;
        while (!stopping_) {
          try {
            db::postgres::PgSession connection = db::postgres::open_session(*settings_);
            // The pools' sessions default to read-only transactions; this one sends NOTIFYs.
            db::postgres::exec(connection.get(), "SET default_transaction_read_only TO off");
            // Named for operators (pg_stat_activity) and for tests that end it.
            db::postgres::exec(connection.get(), "SET application_name TO 'basalt cluster bus'");
            db::postgres::exec(connection.get(), fmt::format("LISTEN {}", kChannel));
            Session session(*this, std::move(connection));
            session_ = &session;
            const unsigned opened = ++sessions_;
            if (!announced) {
              announced = true;
              first_attempt_.set_value();
            }
            backoff = kFirstBackoff;
            if (opened > 1) {
              spdlog::info("cluster bus: listening again; everything is reloaded");
              resync();
            }
            std::exception_ptr lost;
            try {
              co_await session.serve();
            } catch (...) {
              lost = std::current_exception();
            }
            session_ = nullptr;
            if (lost) std::rethrow_exception(lost);
          } catch (const std::exception& error) {
            if (stopping_) break;
            spdlog::warn("cluster bus: {}; again in {} ms", error.what(), backoff.count());
          }
          if (!announced) {
            announced = true;
            first_attempt_.set_value();
          }
          if (stopping_) break;
          std::uniform_int_distribution<std::int64_t> jitter(0, backoff.count() / 2);
          asio::steady_timer pause(context_);
          pause.expires_after(backoff + milliseconds(jitter(random)));
          boost::system::error_code ignored;
          auto token = asio::redirect_error(asio::use_awaitable, ignored);
          co_await pause.async_wait(token);
          backoff = std::min(backoff * 2, kMaxBackoff);
        }
      },
      asio::detached);
  thread_ = std::thread([this] { context_.run(); });
  attempted.wait();
}

void PgNotifyBus::stop() {
  stopping_ = true;
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace basalt::cluster
