#include "basalt/brokers/redis_config.hpp"

#include "basalt/brokers/event_template.hpp"

#include <boost/json/object.hpp>

#include <charconv>

namespace basalt::brokers {

std::optional<RedisConfig> parse_redis_config(const boost::json::object& object,
                                              ConfigErrors& errors) {
  ConfigReader reader(object, errors);
  reader.reject_unknown(
      {"url", "streamKey", "maxLen", "connectTimeoutMs", "timeoutMs", "maxInFlight"});
  RedisConfig config;
  const auto url = reader.text("url", true, kMaxUrlLength);
  if (!url.empty()) {
    std::string error;
    if (auto parsed = parse_broker_url(url, {"redis"}, 6379, error)) {
      config.url = std::move(*parsed);
      const auto& path = config.url.path;
      if (!path.empty()) {
        int db = -1;
        const auto [end, ec] = std::from_chars(path.data(), path.data() + path.size(), db);
        if (ec != std::errc() || end != path.data() + path.size() || db < 0 ||
            db > kMaxRedisDatabase) {
          reader.fail("url", "Must end with a database number (e.g. redis://host:6379/0).");
        } else {
          config.database = db;
        }
      }
    } else {
      reader.fail("url", error);
    }
  }
  config.stream_key = reader.text("streamKey", false, kMaxNameLength, config.stream_key);
  if (config.stream_key.empty()) {
    reader.fail("streamKey", "Cannot be blank.");
  } else if (auto error = check_event_template(config.stream_key)) {
    reader.fail("streamKey", *error);
  }
  config.max_len = reader.integer("maxLen", 1, kMaxRedisStreamLength, config.max_len);
  config.connect_timeout = std::chrono::milliseconds(reader.integer(
      "connectTimeoutMs", kMinTimeoutMs, kMaxConnectTimeoutMs, kDefaultConnectTimeoutMs));
  config.timeout = std::chrono::milliseconds(
      reader.integer("timeoutMs", kMinTimeoutMs, kMaxTimeoutMs, kDefaultTimeoutMs));
  config.max_in_flight =
      static_cast<std::size_t>(reader.integer("maxInFlight", 1, kMaxInFlight, kDefaultMaxInFlight));
  if (!errors.empty()) return std::nullopt;
  return config;
}

ConfigErrors validate_redis_config(const boost::json::object& object) {
  ConfigErrors errors;
  parse_redis_config(object, errors);
  return errors;
}

}  // namespace basalt::brokers
