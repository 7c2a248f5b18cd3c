#include "basalt/brokers/rabbitmq_config.hpp"

#include "basalt/brokers/event_template.hpp"

#include <boost/json/object.hpp>

namespace basalt::brokers {

std::optional<RabbitMqConfig> parse_rabbitmq_config(const boost::json::object& object,
                                                    ConfigErrors& errors) {
  ConfigReader reader(object, errors);
  reader.reject_unknown({"url", "exchange", "declareExchange", "routingKey", "connectTimeoutMs",
                         "timeoutMs", "maxInFlight"});
  RabbitMqConfig config;
  const auto url = reader.text("url", true, kMaxUrlLength);
  if (!url.empty()) {
    std::string error;
    if (auto parsed = parse_broker_url(url, {"amqp"}, 5672, error)) {
      config.url = std::move(*parsed);
      if (config.url.user.empty()) config.url.user = "guest";
      if (!config.url.has_password) config.url.password = "guest";
      config.vhost = config.url.path.empty() ? "/" : config.url.path;
      if (config.vhost.size() > kMaxNameLength) reader.fail("url", "Has a too long vhost.");
    } else {
      reader.fail("url", error);
    }
  }
  // "" is the default exchange (routes by queue name); AMQP names are short strings.
  config.exchange = reader.text("exchange", false, kMaxNameLength, config.exchange);
  config.declare_exchange = reader.boolean("declareExchange", config.declare_exchange);
  if (config.exchange.empty() || config.exchange.starts_with("amq.")) {
    // RabbitMQ forbids declaring the default and the amq.* exchanges.
    config.declare_exchange = false;
  }
  config.routing_key = reader.text("routingKey", false, kMaxNameLength, config.routing_key);
  if (auto error = check_event_template(config.routing_key)) reader.fail("routingKey", *error);
  config.connect_timeout = std::chrono::milliseconds(reader.integer(
      "connectTimeoutMs", kMinTimeoutMs, kMaxConnectTimeoutMs, kDefaultConnectTimeoutMs));
  config.timeout = std::chrono::milliseconds(
      reader.integer("timeoutMs", kMinTimeoutMs, kMaxTimeoutMs, kDefaultTimeoutMs));
  config.max_in_flight =
      static_cast<std::size_t>(reader.integer("maxInFlight", 1, kMaxInFlight, kDefaultMaxInFlight));
  if (!errors.empty()) return std::nullopt;
  return config;
}

ConfigErrors validate_rabbitmq_config(const boost::json::object& object) {
  ConfigErrors errors;
  parse_rabbitmq_config(object, errors);
  return errors;
}

}  // namespace basalt::brokers
