#include "basalt/brokers/broker_destination.hpp"
#include "basalt/brokers/nats_config.hpp"
#include "basalt/brokers/rabbitmq_config.hpp"
#include "basalt/brokers/redis_config.hpp"

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <string>

namespace basalt::brokers {
namespace {

boost::json::object config_json(std::string_view text) {
  return boost::json::parse(text).as_object();
}

TEST(BrokerConfig, RabbitMqDefaultsAndUrlParts) {
  ConfigErrors errors;
  const auto config = parse_rabbitmq_config(
      config_json(R"({"url": "amqp://app:s%40cret@mq.example:5673/prod%2Fone"})"), errors);
  ASSERT_TRUE(config) << errors.begin()->first;
  EXPECT_EQ(config->url.host, "mq.example");
  EXPECT_EQ(config->url.port, 5673);
  EXPECT_EQ(config->url.user, "app");
  EXPECT_EQ(config->url.password, "s@cret");
  EXPECT_EQ(config->vhost, "prod/one");
  EXPECT_EQ(config->exchange, "basalt");
  EXPECT_TRUE(config->declare_exchange);
  EXPECT_EQ(config->routing_key, "{collection}.{action}");
  EXPECT_EQ(config->url.redacted().find("s@cret"), std::string::npos);

  const auto guest = parse_rabbitmq_config(config_json(R"({"url": "amqp://localhost"})"), errors);
  ASSERT_TRUE(guest);
  EXPECT_EQ(guest->url.user, "guest");
  EXPECT_EQ(guest->url.password, "guest");
  EXPECT_EQ(guest->url.port, 5672);
  EXPECT_EQ(guest->vhost, "/");
}

TEST(BrokerConfig, RabbitMqMistakesAreReportedPerField) {
  auto errors = validate_rabbitmq_config(config_json(
      R"({"exchange": 5, "routingKey": "{nope}", "timeoutMs": 5, "declareExchange": "yes",
          "colour": "red"})"));
  EXPECT_EQ(errors.at("url"), "Cannot be blank.");
  EXPECT_EQ(errors.at("exchange"), "Must be a string.");
  EXPECT_NE(errors.at("routingKey").find("unknown placeholder"), std::string::npos);
  EXPECT_EQ(errors.at("timeoutMs"), "Must be between 100 and 120000.");
  EXPECT_EQ(errors.at("declareExchange"), "Must be a boolean.");
  EXPECT_EQ(errors.at("colour"), "Unknown field.");

  EXPECT_EQ(validate_rabbitmq_config(config_json(R"({"url": "http://host"})")).at("url"),
            "Must start with amqp://.");
  EXPECT_EQ(validate_rabbitmq_config(config_json(R"({"url": "amqp://"})")).at("url"),
            "Must have a host.");
  EXPECT_EQ(validate_rabbitmq_config(config_json(R"({"url": "not a url"})")).at("url"),
            "Must be a valid url.");
  const auto long_url = "amqp://h/" + std::string(3000, 'v');
  boost::json::object oversize{{"url", long_url}, {"exchange", std::string(300, 'x')}};
  const auto oversize_errors = validate_rabbitmq_config(oversize);
  EXPECT_EQ(oversize_errors.at("url"), "Must be no more than 2048 characters.");
  EXPECT_EQ(oversize_errors.at("exchange"), "Must be no more than 255 characters.");
}

TEST(BrokerConfig, MaxInFlightIsBoundedAndDefaultsTo64) {
  ConfigErrors errors;
  const auto rabbit = parse_rabbitmq_config(config_json(R"({"url": "amqp://h"})"), errors);
  ASSERT_TRUE(rabbit);
  EXPECT_EQ(rabbit->max_in_flight, 64u);
  const auto redis =
      parse_redis_config(config_json(R"({"url": "redis://h", "maxInFlight": 1})"), errors);
  ASSERT_TRUE(redis);
  EXPECT_EQ(redis->max_in_flight, 1u);
  for (const char* bad : {"0", "1001", "2.5", "\"8\""}) {
    const std::string rabbit_text =
        std::string(R"({"url": "amqp://h", "maxInFlight": )") + bad + "}";
    const std::string redis_text =
        std::string(R"({"url": "redis://h", "maxInFlight": )") + bad + "}";
    EXPECT_EQ(validate_rabbitmq_config(config_json(rabbit_text)).count("maxInFlight"), 1u) << bad;
    EXPECT_EQ(validate_redis_config(config_json(redis_text)).count("maxInFlight"), 1u) << bad;
  }
  const auto nats =
      parse_nats_config(config_json(R"({"url": "nats://h", "maxInFlight": 8})"), errors);
  ASSERT_TRUE(nats);
  EXPECT_EQ(nats->max_in_flight, 8u);
  EXPECT_EQ(validate_nats_config(config_json(R"({"url": "nats://h", "maxInFlight": 0})"))
                .count("maxInFlight"),
            1u);
}

TEST(BrokerConfig, UrlHostsPortsAndOddInputs) {
  ConfigErrors errors;
  const auto ipv6 = parse_redis_config(config_json(R"({"url": "redis://[::1]:7000"})"), errors);
  ASSERT_TRUE(ipv6);
  EXPECT_EQ(ipv6->url.host, "::1");
  EXPECT_EQ(ipv6->url.redacted(), "redis://[::1]:7000/");
  EXPECT_EQ(validate_redis_config(config_json(R"({"url": "redis://h:99999"})")).count("url"), 1u);
  EXPECT_EQ(validate_redis_config(config_json(R"({"url": "redis://a%00b:pw@h"})")).at("url"),
            "Must not contain NUL characters.");
  EXPECT_EQ(validate_redis_config(config_json(R"({"url": "REDIS://h"})")).size(), 0u);
  EXPECT_EQ(
      validate_redis_config(config_json(R"({"url": "redis://h", "maxLen": 1e30})")).at("maxLen"),
      "Must be between 1 and 1000000000.");
  EXPECT_EQ(validate_redis_config(config_json(R"({"url": "redis://h", "timeoutMs": -1e30})"))
                .at("timeoutMs"),
            "Must be between 100 and 120000.");
  EXPECT_TRUE(validate_redis_config(config_json(R"({"url": "redis://h", "maxLen": 5e2})")).empty());
  EXPECT_EQ(
      validate_redis_config(config_json(R"({"url": "redis://h", "maxLen": 18446744073709551615})"))
          .count("maxLen"),
      1u);
  EXPECT_EQ(validate_redis_config(config_json(R"({"url": ["redis://h"]})")).at("url"),
            "Must be a string.");
}

TEST(BrokerConfig, ErrorsNeverQuoteTheValue) {
  const auto errors = validate_redis_config(
      config_json(R"({"url": "redis://:hunter2@host:6379/zz", "maxLen": -1})"));
  ASSERT_TRUE(errors.count("url"));
  for (const auto& [field, message] : errors) {
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << field;
  }
}

TEST(BrokerConfig, NatsDefaultsAndChecks) {
  ConfigErrors errors;
  const auto config = parse_nats_config(config_json(R"({"url": "nats://tok@127.0.0.1"})"), errors);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->url.port, 4222);
  EXPECT_EQ(config->url.user, "tok");
  EXPECT_FALSE(config->url.has_password);
  EXPECT_EQ(config->subject_prefix, "basalt");
  EXPECT_EQ(config->stream, "BASALT");
  EXPECT_TRUE(config->create_stream);

  const auto bad = validate_nats_config(config_json(
      R"({"url": "nats://h:4222/path", "subjectPrefix": "a.*", "stream": "has space",
          "connectTimeoutMs": 999999})"));
  EXPECT_EQ(bad.at("url"), "Must not have a path.");
  EXPECT_TRUE(bad.count("subjectPrefix"));
  EXPECT_TRUE(bad.count("stream"));
  EXPECT_EQ(bad.at("connectTimeoutMs"), "Must be between 100 and 60000.");
  EXPECT_TRUE(validate_nats_config(config_json(R"({"url": "nats://h", "subjectPrefix": "a..b"})"))
                  .count("subjectPrefix"));
  EXPECT_TRUE(
      validate_nats_config(config_json(R"({"url": "nats://h", "subjectPrefix": "app.events"})"))
          .empty());
  EXPECT_EQ(validate_nats_config(config_json(R"({"url": "redis://h"})")).at("url"),
            "Must start with nats://.");
}

TEST(BrokerConfig, RedisDefaultsDatabaseAndChecks) {
  ConfigErrors errors;
  const auto config =
      parse_redis_config(config_json(R"({"url": "redis://:pw@10.0.0.1:6380/3"})"), errors);
  ASSERT_TRUE(config);
  EXPECT_EQ(config->url.host, "10.0.0.1");
  EXPECT_EQ(config->url.port, 6380);
  EXPECT_EQ(config->database, 3);
  EXPECT_EQ(config->url.password, "pw");
  EXPECT_TRUE(config->url.user.empty());
  EXPECT_EQ(config->stream_key, "basalt:{collection}");
  EXPECT_EQ(config->max_len, 100000);

  const auto bad = validate_redis_config(
      config_json(R"({"url": "redis://h/99999", "streamKey": "", "maxLen": 0})"));
  EXPECT_TRUE(bad.count("url"));
  EXPECT_EQ(bad.at("streamKey"), "Cannot be blank.");
  EXPECT_EQ(bad.at("maxLen"), "Must be between 1 and 1000000000.");
  EXPECT_TRUE(validate_redis_config(config_json(R"({"url": "redis://h?x=1"})")).count("url"));
  EXPECT_TRUE(
      validate_redis_config(config_json(R"({"url": "redis://h", "maxLen": 1.5})")).count("maxLen"));
  EXPECT_TRUE(validate_redis_config(config_json(R"({"url": "redis://h:0"})")).count("url"));
}

TEST(BrokerConfig, FactoryKnowsThreeTypes) {
  EXPECT_TRUE(is_broker_type("rabbitmq"));
  EXPECT_TRUE(is_broker_type("nats"));
  EXPECT_TRUE(is_broker_type("redis"));
  EXPECT_FALSE(is_broker_type("kafka"));
  const auto object = config_json(R"({"url": "redis://127.0.0.1:6379"})");
  EXPECT_EQ(validate_broker_config("kafka", object).at("type"),
            "Must be one of rabbitmq, nats, redis.");
  EXPECT_EQ(make_broker_destination("kafka", object, false), nullptr);
  EXPECT_TRUE(validate_broker_config("redis", object).empty());
  EXPECT_NE(make_broker_destination("redis", object, false), nullptr);  // connects lazily
  EXPECT_EQ(make_broker_destination("nats", object, false), nullptr);   // wrong scheme
}

}  // namespace
}  // namespace basalt::brokers
