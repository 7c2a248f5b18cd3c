#include "basalt/realtime/broker.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "basalt/core/api_error.hpp"
#include "basalt/realtime/registry.hpp"
#include "basalt/schema/ids.hpp"

namespace basalt::realtime {
namespace {

namespace asio = boost::asio;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::string_view kIdAlphabet =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

}  // namespace

Broker::Broker(records::RecordService& records, collections::CollectionService& collections,
               Hub& hub, core::RealtimeConfig config)
    : records_(records), collections_(collections), hub_(hub), config_(config) {
  hub_.set_receiver([this](HubEvent event) { on_event(std::move(event)); });
  bus_subscription_ = records_.events().subscribe([this](const records::RecordEvent& event) {
    // No open stream here and no other instance: the copy would reach nobody (a stream opened
    // meanwhile has no subscription yet, which only its later POST sets).
    if (!hub_.reaches_other_instances() && open_clients_.load(std::memory_order_relaxed) == 0 &&
        listener_count_.load(std::memory_order_relaxed) == 0) {
      return;
    }
    hub_.publish(std::make_shared<const records::RecordEvent>(event));
  });
}

Broker::~Broker() {
  stop();
}

void Broker::stop() {
  if (bus_subscription_ == 0) return;
  records_.events().unsubscribe(bus_subscription_);
  bus_subscription_ = 0;
  hub_.set_receiver(nullptr);
  std::lock_guard lock(registries_mutex_);
  stopped_ = true;
}

std::shared_ptr<void> Broker::reserve_client() {
  if (open_clients_.fetch_add(1, std::memory_order_relaxed) >= config_.max_clients) {
    open_clients_.fetch_sub(1, std::memory_order_relaxed);
    return nullptr;
  }
  return std::shared_ptr<void>(static_cast<void*>(this), [this](void*) {
    open_clients_.fetch_sub(1, std::memory_order_relaxed);
  });
}

Registry& Broker::registry_here(const asio::any_io_executor& executor) {
  std::lock_guard lock(registries_mutex_);
  for (const auto& registry : registries_) {
    if (registry->executor() == executor) return *registry;
  }
  registries_.push_back(std::make_unique<Registry>(*this, executor, published_ + 1));
  return *registries_.back();
}

std::uint64_t Broker::listen(HubListener listener) {
  std::lock_guard lock(listeners_mutex_);
  auto next = std::make_shared<std::vector<Listener>>(*listeners_);
  const std::uint64_t id = next_listener_++;
  next->push_back({id, std::move(listener)});
  listeners_ = std::move(next);
  listener_count_.fetch_add(1, std::memory_order_relaxed);
  return id;
}

void Broker::unlisten(std::uint64_t id) {
  std::lock_guard lock(listeners_mutex_);
  auto next = std::make_shared<std::vector<Listener>>(*listeners_);
  const auto removed = std::erase_if(*next, [id](const Listener& l) { return l.id == id; });
  listeners_ = std::move(next);
  listener_count_.fetch_sub(removed, std::memory_order_relaxed);
}

void Broker::on_event(HubEvent event) {
  // Any thread (the writer for LocalHub). The change feeds' listeners first (each only queues
  // and posts), then one post per worker; the per-client work happens there.
  if (listener_count_.load(std::memory_order_relaxed) != 0) {
    std::shared_ptr<const std::vector<Listener>> listeners;
    {
      std::lock_guard lock(listeners_mutex_);
      listeners = listeners_;
    }
    for (const Listener& listener : *listeners) listener.call(event);
  }
  std::lock_guard lock(registries_mutex_);
  if (stopped_) return;
  // Numbered under the lock, so every registry delivers one sequence in one order. LocalHub
  // calls this from the write's finish, before its answer leaves: writes a client awaits one
  // after another are numbered in their commit order.
  const std::uint64_t sequence = ++published_;
  for (const auto& registry : registries_) {
    asio::post(registry->executor(), [registry = registry.get(), event, sequence] {
      registry->enqueue(event, sequence);
    });
  }
}

void Broker::close_all_streams() {
  std::lock_guard lock(registries_mutex_);
  if (stopped_) return;
  for (const auto& registry : registries_) {
    asio::post(registry->executor(), [registry = registry.get()] { registry->close_clients(); });
  }
}

void Broker::forget(const Client& client) {
  std::lock_guard lock(directory_mutex_);
  directory_.erase(client.id());
}

asio::awaitable<void> Broker::serve(asio::ip::tcp::socket& socket, std::string ip,
                                    std::shared_ptr<void> slot) {
  const auto executor = co_await asio::this_coro::executor;
  Registry& registry = registry_here(executor);
  auto client =
      std::make_shared<Client>(schema::random_string(kClientIdLength, kIdAlphabet), std::move(ip),
                               socket, config_.send_buffer, Client::Clock::now());
  {
    std::lock_guard lock(directory_mutex_);
    directory_.emplace(client->id(), Entry{&registry, client, client->ip()});
  }
  registry.attach(*client);
  client->send("PB_CONNECT", "{\"clientId\":\"" + client->id() + "\"}");

  // The client sends nothing on this stream; a read only tells when it went away (or the
  // socket was closed by the sweep, the send bound or the server's drain).
  char scratch[64];
  for (;;) {
    auto [ec, n] = co_await socket.async_read_some(asio::buffer(scratch), kUseTuple);
    if (ec) break;
  }
  client->close();
  // A write in flight holds the socket; its cancelled completion is already queued.
  while (client->writing()) co_await asio::post(executor, asio::use_awaitable);
  client->detach_socket();
  registry.detach(*client);
  slot.reset();
  forget(*client);
}

asio::awaitable<void> Broker::set_subscriptions(std::string client_id, std::string ip,
                                                std::shared_ptr<const ClientAuth> auth,
                                                std::vector<Topic> topics) {
  Entry entry;
  {
    std::lock_guard lock(directory_mutex_);
    auto found = directory_.find(client_id);
    if (found == directory_.end()) {
      throw core::ApiError::not_found("Missing or invalid client id.");
    }
    entry = found->second;
  }
  if (entry.ip != ip) throw core::ApiError::bad_request("Invalid realtime client.");

  auto set = std::make_shared<const std::vector<Topic>>(std::move(topics));
  // The client's state belongs to its worker: the change runs there, and this coroutine
  // resumes on its own worker with the outcome.
  // Named, not temporaries of the co_await expression: GCC 12 destroys those twice.
  auto change = [registry = entry.registry, weak = entry.client, auth = std::move(auth),
                 set = std::move(set)]() mutable -> asio::awaitable<int> {
    auto client = weak.lock();
    if (!client || client->closed()) co_return 404;
    if (client->auth && (!auth || auth->key() != client->auth->key())) co_return 403;
    client->auth = std::move(auth);
    registry->replace_topics(*client, std::move(set));
    co_return 204;
  };
  auto on_owner =
      asio::co_spawn(entry.registry->executor(), std::move(change), asio::use_awaitable);
  const int status = co_await std::move(on_owner);
  if (status == 404) throw core::ApiError::not_found("Missing or invalid client id.");
  if (status == 403) {
    throw core::ApiError::forbidden(
        "The current and the previous request authorization don't match.");
  }
}

}  // namespace basalt::realtime
