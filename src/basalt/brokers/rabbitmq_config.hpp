// Configuration of a RabbitMQ destination (docs/brokers.md, "RabbitMQ"):
//   {"url": "amqp://user:pass@host:5672/vhost", "exchange": "basalt",
//    "declareExchange": true, "routingKey": "{collection}.{action}",
//    "connectTimeoutMs": 5000, "timeoutMs": 10000, "maxInFlight": 64}
#pragma once

#include "basalt/brokers/broker_url.hpp"
#include "basalt/brokers/config_fields.hpp"

#include <boost/json/fwd.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace basalt::brokers {

struct RabbitMqConfig {
  BrokerUrl url;            // amqp://; user/password default guest/guest, vhost default "/"
  std::string vhost = "/";  // from the URL path ("" → "/")
  std::string exchange = "basalt";
  bool declare_exchange = true;  // declare it as a durable topic exchange on connect
  std::string routing_key = "{collection}.{action}";  // an event template
  std::chrono::milliseconds connect_timeout{kDefaultConnectTimeoutMs};
  std::chrono::milliseconds timeout{kDefaultTimeoutMs};  // publish → confirm, and each RPC
  // Events published before their acknowledgements are awaited (config_fields.hpp).
  std::size_t max_in_flight = kDefaultMaxInFlight;
  // Loopback, private and other internal addresses allowed (brokers-allow-private; set by the
  // factory from the server's settings, never from the JSON).
  bool allow_private = false;
};

ConfigErrors validate_rabbitmq_config(const boost::json::object& object);
// nullopt when validate_rabbitmq_config reports errors.
std::optional<RabbitMqConfig> parse_rabbitmq_config(const boost::json::object& object,
                                                    ConfigErrors& errors);

}  // namespace basalt::brokers
