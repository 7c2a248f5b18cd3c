#include "basalt/brokers/broker_destination.hpp"

#include "basalt/brokers/nats_destination.hpp"
#include "basalt/brokers/rabbitmq_destination.hpp"
#include "basalt/brokers/redis_destination.hpp"

#include <boost/json/object.hpp>

namespace basalt::brokers {

bool is_broker_type(std::string_view type) {
  return type == "rabbitmq" || type == "nats" || type == "redis";
}

ConfigErrors validate_broker_config(std::string_view type, const boost::json::object& config) {
  if (type == "rabbitmq") return validate_rabbitmq_config(config);
  if (type == "nats") return validate_nats_config(config);
  if (type == "redis") return validate_redis_config(config);
  return {{"type", "Must be one of rabbitmq, nats, redis."}};
}

std::unique_ptr<events::Destination> make_broker_destination(std::string_view type,
                                                             const boost::json::object& config,
                                                             bool allow_private) {
  ConfigErrors errors;
  if (type == "rabbitmq") {
    if (auto parsed = parse_rabbitmq_config(config, errors)) {
      parsed->allow_private = allow_private;
      return make_rabbitmq_destination(std::move(*parsed));
    }
  } else if (type == "nats") {
    if (auto parsed = parse_nats_config(config, errors)) {
      parsed->allow_private = allow_private;
      return make_nats_destination(std::move(*parsed));
    }
  } else if (type == "redis") {
    if (auto parsed = parse_redis_config(config, errors)) {
      parsed->allow_private = allow_private;
      return make_redis_destination(std::move(*parsed));
    }
  }
  return nullptr;
}

}  // namespace basalt::brokers
