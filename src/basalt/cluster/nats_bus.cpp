#include "basalt/cluster/nats_bus.hpp"

#include <fmt/format.h>
#include <nats/nats.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace basalt::cluster {
namespace {

namespace asio = boost::asio;

constexpr std::int64_t kConnectTimeoutMs = 5000;
constexpr std::int64_t kPingIntervalMs = 15000;
constexpr int kMaxPingsOut = 2;

}  // namespace

struct NatsBus::CallbackGate {
  std::mutex mutex;
  NatsBus* bus = nullptr;  // null once the bus stopped
};

namespace {

// Gates live as long as the process (a few bytes per bus ever started), so that a callback
// libnats runs late finds a valid mutex and a null bus; reachable, so leak checkers stay quiet.
NatsBus::CallbackGate* new_gate(NatsBus* bus) {
  static std::mutex gates_mutex;
  static std::vector<std::unique_ptr<NatsBus::CallbackGate>> gates;
  std::lock_guard lock(gates_mutex);
  gates.push_back(std::make_unique<NatsBus::CallbackGate>());
  gates.back()->bus = bus;
  return gates.back().get();
}

// Runs `call` on the bus unless it stopped; the gate's mutex is held meanwhile, so stop()
// cannot finish while a callback is inside the bus.
template <typename Call>
void with_bus(void* closure, Call call) {
  auto* gate = static_cast<NatsBus::CallbackGate*>(closure);
  std::lock_guard lock(gate->mutex);
  if (gate->bus != nullptr) call(*gate->bus);
}

void connected_cb(natsConnection*, void* closure) {
  with_bus(closure, [](NatsBus& bus) { bus.on_connected(false); });
}
void reconnected_cb(natsConnection*, void* closure) {
  with_bus(closure, [](NatsBus& bus) { bus.on_connected(true); });
}
void disconnected_cb(natsConnection*, void* closure) {
  with_bus(closure, [](NatsBus& bus) { bus.on_disconnected(); });
}
int64_t reconnect_delay_cb(natsConnection*, int attempts, void* closure) {
  std::int64_t delay = 100;  // a stopped bus is closing; any short delay will do
  with_bus(closure, [&](NatsBus& bus) { delay = bus.reconnect_delay_ms(attempts); });
  return delay;
}
void message_cb(natsConnection*, natsSubscription*, natsMsg* message, void* closure) {
  std::string payload(natsMsg_GetData(message),
                      static_cast<std::size_t>(natsMsg_GetDataLength(message)));
  natsMsg_Destroy(message);
  with_bus(closure, [&](NatsBus& bus) { bus.on_payload(std::move(payload)); });
}

void check(natsStatus status, std::string_view what) {
  if (status != NATS_OK) {
    throw std::runtime_error(fmt::format("cluster bus: {}: {}", what, natsStatus_GetText(status)));
  }
}

}  // namespace

NatsBus::NatsBus(BusEndpoint endpoint) : endpoint_(std::move(endpoint)), gate_(new_gate(this)) {}

NatsBus::~NatsBus() {
  stop();
}

void NatsBus::subscribe(std::string topic, Handler handler) {
  messages_.subscribe(std::move(topic), std::move(handler));
}

void NatsBus::on_resync(std::function<void()> handler) {
  messages_.on_resync(std::move(handler));
}

bool NatsBus::publish(std::string_view topic, std::string body) {
  bool wake = false;
  if (!messages_.queue(topic, body, wake)) return false;
  if (wake) asio::post(context_, [this] { drain(); });
  return true;
}

void NatsBus::drain() {
  messages_.woken();
  for (const std::string& payload : messages_.take_payloads()) {
    if (connection_ == nullptr) return;
    // Buffered by libnats (also while reconnecting, up to its reconnect buffer).
    const natsStatus status = natsConnection_Publish(
        connection_, endpoint_.channel.c_str(), payload.data(), static_cast<int>(payload.size()));
    if (status != NATS_OK) {
      spdlog::warn("cluster bus: NATS refused a payload of {} bytes: {}", payload.size(),
                   natsStatus_GetText(status));
    }
  }
}

void NatsBus::on_connected(bool again) {
  const unsigned opened = ++sessions_;
  if (again || opened > 1) {
    asio::post(context_, [this] {
      // libnats sends the subscription again before it reports the reconnection, but the
      // server may not have read it yet: a message another instance publishes before it has
      // would be lost after the resync that was to cover every loss. The round trip of a PING
      // sent after the SUB proves the server has it (as in start()); a failure leaves it to the
      // next reconnection, which resyncs again.
      if (connection_ != nullptr) natsConnection_FlushTimeout(connection_, kConnectTimeoutMs);
      messages_.resync();
      drain();  // what waited while disconnected
      // Said once the handlers ran (as RedisBus says it).
      spdlog::info("cluster bus: connected to NATS again; everything is reloaded");
    });
  }
  std::lock_guard lock(connected_mutex_);
  connected_.notify_all();
}

void NatsBus::on_disconnected() {
  if (stopping_) return;
  spdlog::warn("cluster bus: NATS at {} lost; reconnecting", endpoint_.masked());
}

void NatsBus::on_payload(std::string payload) {
  asio::post(context_, [this, payload = std::move(payload)] { messages_.dispatch(payload); });
}

std::int64_t NatsBus::reconnect_delay_ms(int attempts) {
  return backoff_.delay(static_cast<unsigned>(std::max(attempts, 1))).count();
}

void NatsBus::start() {
  if (bus_thread_.joinable()) return;
  bus_thread_ = std::thread([this] { context_.run(); });
  check(natsOptions_Create(&options_), "options");
  std::string url = fmt::format(
      "nats://{}:{}",
      endpoint_.host.find(':') != std::string::npos ? "[" + endpoint_.host + "]" : endpoint_.host,
      endpoint_.port);
  check(natsOptions_SetURL(options_, url.c_str()), "URL");
  if (!endpoint_.user.empty() || !endpoint_.password.empty()) {
    check(natsOptions_SetUserInfo(options_, endpoint_.user.c_str(), endpoint_.password.c_str()),
          "credentials");
  }
  check(natsOptions_SetName(options_, "basalt cluster bus"), "name");
  check(natsOptions_SetTimeout(options_, kConnectTimeoutMs), "timeout");
  check(natsOptions_SetPingInterval(options_, kPingIntervalMs), "ping interval");
  check(natsOptions_SetMaxPingsOut(options_, kMaxPingsOut), "pings");
  check(natsOptions_SetNoEcho(options_, true), "no echo");
  check(natsOptions_SetMaxReconnect(options_, -1), "reconnects");
  check(natsOptions_SetCustomReconnectDelay(options_, reconnect_delay_cb, gate_), "backoff");
  check(natsOptions_SetDisconnectedCB(options_, disconnected_cb, gate_), "callbacks");
  check(natsOptions_SetReconnectedCB(options_, reconnected_cb, gate_), "callbacks");
  check(natsOptions_SetRetryOnFailedConnect(options_, true, connected_cb, gate_), "retry");

  std::unique_lock lock(connected_mutex_);
  const natsStatus status = natsConnection_Connect(&connection_, options_);
  if (status == NATS_OK) {
    ++sessions_;  // connected at once: connected_cb is not called
  } else if (status != NATS_NOT_YET_CONNECTED) {
    throw std::runtime_error(
        fmt::format("cluster bus: NATS at {}: {}", endpoint_.masked(), natsStatus_GetText(status)));
  }
  check(natsConnection_Subscribe(&subscription_, connection_, endpoint_.channel.c_str(), message_cb,
                                 gate_),
        "subscribe");
  if (status == NATS_NOT_YET_CONNECTED) {
    spdlog::warn("cluster bus: NATS at {} not reachable yet; retrying", endpoint_.masked());
    connected_.wait_for(lock, std::chrono::milliseconds(kConnectTimeoutMs),
                        [this] { return sessions_.load() > 0; });
  }
  lock.unlock();
  // A PING/PONG round trip after the SUB: once the server answered, it has the subscription,
  // so nothing published from here on is missed (a failure leaves it to the reconnects).
  if (sessions_.load() > 0) natsConnection_FlushTimeout(connection_, kConnectTimeoutMs);
}

void NatsBus::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(gate_->mutex);  // waits for a callback inside the bus
    gate_->bus = nullptr;
  }
  // The bus thread first: no drain() reads connection_ after this; callbacks that still come
  // only post to the stopped io_context (nothing runs them).
  work_.reset();
  context_.stop();
  if (bus_thread_.joinable()) bus_thread_.join();
  if (subscription_ != nullptr) {
    natsSubscription_Unsubscribe(subscription_);
    natsSubscription_Destroy(subscription_);
    subscription_ = nullptr;
  }
  if (connection_ != nullptr) {
    natsConnection_Close(connection_);
    natsConnection_Destroy(connection_);
    connection_ = nullptr;
  }
  if (options_ != nullptr) {
    natsOptions_Destroy(options_);
    options_ = nullptr;
  }
}

}  // namespace basalt::cluster
