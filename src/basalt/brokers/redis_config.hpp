// Configuration of a Redis Streams destination (docs/brokers.md, "Redis Streams"):
//   {"url": "redis://:password@host:6379/0", "streamKey": "basalt:{collection}",
//    "maxLen": 100000, "connectTimeoutMs": 5000, "timeoutMs": 10000, "maxInFlight": 64}
#pragma once

#include "basalt/brokers/broker_url.hpp"
#include "basalt/brokers/config_fields.hpp"

#include <boost/json/fwd.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace basalt::brokers {

inline constexpr std::int64_t kMaxRedisDatabase = 10'000;
inline constexpr std::int64_t kMaxRedisStreamLength = 1'000'000'000;

struct RedisConfig {
  BrokerUrl url;  // redis://[[user]:password@]host[:port][/db]
  int database = 0;
  std::string stream_key = "basalt:{collection}";  // an event template
  std::int64_t max_len = 100'000;                  // XADD MAXLEN ~ max_len
  std::chrono::milliseconds connect_timeout{kDefaultConnectTimeoutMs};
  std::chrono::milliseconds timeout{kDefaultTimeoutMs};  // each command
  // Events published before their acknowledgements are awaited (config_fields.hpp).
  std::size_t max_in_flight = kDefaultMaxInFlight;
  // Loopback, private and other internal addresses allowed (brokers-allow-private; set by the
  // factory from the server's settings, never from the JSON).
  bool allow_private = false;
};

ConfigErrors validate_redis_config(const boost::json::object& object);
std::optional<RedisConfig> parse_redis_config(const boost::json::object& object,
                                              ConfigErrors& errors);

}  // namespace basalt::brokers
