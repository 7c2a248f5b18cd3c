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
#include <chrono>
#include <stdexcept>

#include "basalt/db/database_error.hpp"
#include "basalt/db/postgres/pg_session.hpp"

namespace basalt::cluster {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

constexpr std::string_view kChannel = "basalt_cluster";
constexpr milliseconds kIdlePing{15000};
// How long the server may take to answer one NOTIFY or ping before the session is given up.
constexpr milliseconds kAnswerDeadline{10000};

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
      bus_.messages_.woken();
      std::vector<std::string> payloads = bus_.messages_.take_payloads();
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
      bus_.messages_.dispatch(payload);
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
    : settings_(std::move(settings)) {}

PgNotifyBus::~PgNotifyBus() {
  stop();
}

void PgNotifyBus::subscribe(std::string topic, Handler handler) {
  messages_.subscribe(std::move(topic), std::move(handler));
}

void PgNotifyBus::on_resync(std::function<void()> handler) {
  messages_.on_resync(std::move(handler));
}

bool PgNotifyBus::publish(std::string_view topic, std::string body) {
  bool wake = false;
  if (!messages_.queue(topic, body, wake)) return false;
  if (wake) {
    asio::post(context_, [this] {
      if (session_ != nullptr) session_->wake();
    });
  }
  return true;
}

void PgNotifyBus::start() {
  if (thread_.joinable()) return;
  std::future<void> attempted = first_attempt_.get_future();
  asio::co_spawn(
      context_,
      [this]() -> asio::awaitable<void> {
        ReconnectBackoff backoff;
        bool announced = false;
        while (!stopping_) {
          milliseconds delay{0};
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
            backoff.reset();
            if (opened > 1) {
              messages_.resync();
              // Said once the handlers ran (as RedisBus says it).
              spdlog::info("cluster bus: listening again; everything is reloaded");
            }
            std::exception_ptr lost;
            try {
              co_await session.serve();
            } catch (...) {
              lost = std::current_exception();
            }
            session_ = nullptr;
            if (lost) std::rethrow_exception(lost);
            delay = backoff.next();
          } catch (const std::exception& error) {
            if (stopping_) break;
            delay = backoff.next();
            spdlog::warn("cluster bus: {}; again in {} ms", error.what(), delay.count());
          }
          if (!announced) {
            announced = true;
            first_attempt_.set_value();
          }
          if (stopping_) break;
          asio::steady_timer pause(context_);
          pause.expires_after(delay);
          boost::system::error_code ignored;
          auto token = asio::redirect_error(asio::use_awaitable, ignored);
          co_await pause.async_wait(token);
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
