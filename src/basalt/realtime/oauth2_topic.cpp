// Broker::deliver_oauth2: the `@oauth2` topic of the SDK's all-in-one OAuth2 flow
// (docs/oauth2.md, "The all-in-one flow"). The provider's redirect names the realtime client
// (its id is the OAuth2 state); that client alone gets the redirect's data, once.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "basalt/realtime/broker.hpp"
#include "basalt/realtime/registry.hpp"

namespace basalt::realtime {

namespace asio = boost::asio;

asio::awaitable<bool> Broker::deliver_oauth2(std::string client_id, std::string data) {
  Entry entry;
  {
    std::lock_guard lock(directory_mutex_);
    auto found = directory_.find(client_id);
    if (found == directory_.end()) co_return false;
    entry = found->second;
  }
  // On the client's own worker, which owns its state and socket (registry.hpp).
  auto deliver = [registry = entry.registry, weak = entry.client,
                  data = std::move(data)]() -> asio::awaitable<bool> {
    auto client = weak.lock();
    if (!client || client->closed() || !client->topics) co_return false;
    const auto& topics = *client->topics;
    auto rest = std::make_shared<std::vector<Topic>>();
    bool subscribed = false;
    for (const Topic& topic : topics) {
      if (topic.text == kOAuth2Topic) {
        subscribed = true;
      } else {
        rest->push_back(topic);
      }
    }
    if (!subscribed) co_return false;
    client->send(kOAuth2Topic, data);
    // One redirect per subscription, as PocketBase unsubscribes the client after it.
    registry->replace_topics(*client, std::move(rest));
    co_return true;
  };
  auto on_owner =
      asio::co_spawn(entry.registry->executor(), std::move(deliver), asio::use_awaitable);
  co_return co_await std::move(on_owner);
}

}  // namespace basalt::realtime
