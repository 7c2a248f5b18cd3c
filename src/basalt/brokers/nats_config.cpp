#include "basalt/brokers/nats_config.hpp"

#include <boost/json/object.hpp>

#include <algorithm>

namespace basalt::brokers {

bool is_nats_subject_token(std::string_view token) {
  return !token.empty() && std::none_of(token.begin(), token.end(), [](unsigned char c) {
    return c <= ' ' || c == 0x7f || c == '.' || c == '*' || c == '>';
  });
}

namespace {

bool is_subject_prefix(std::string_view prefix) {
  std::size_t start = 0;
  for (;;) {
    const auto dot = prefix.find('.', start);
    const auto token = prefix.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (!is_nats_subject_token(token)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// JetStream stream names: no whitespace, '.', '*', '>', path separators.
bool is_stream_name(std::string_view name) {
  return !name.empty() && std::none_of(name.begin(), name.end(), [](unsigned char c) {
    return c <= ' ' || c == 0x7f || c == '.' || c == '*' || c == '>' || c == '/' || c == '\\';
  });
}

}  // namespace

std::optional<NatsConfig> parse_nats_config(const boost::json::object& object,
                                            ConfigErrors& errors) {
  ConfigReader reader(object, errors);
  reader.reject_unknown({"url", "subjectPrefix", "stream", "createStream", "connectTimeoutMs",
                         "timeoutMs", "maxInFlight"});
  NatsConfig config;
  const auto url = reader.text("url", true, kMaxUrlLength);
  if (!url.empty()) {
    std::string error;
    if (auto parsed = parse_broker_url(url, {"nats"}, 4222, error)) {
      config.url = std::move(*parsed);
      if (!config.url.path.empty()) reader.fail("url", "Must not have a path.");
    } else {
      reader.fail("url", error);
    }
  }
  config.subject_prefix =
      reader.text("subjectPrefix", false, kMaxNameLength, config.subject_prefix);
  if (!is_subject_prefix(config.subject_prefix)) {
    reader.fail("subjectPrefix",
                "Must be dot-separated tokens without spaces or wildcards (e.g. \"basalt\").");
  }
  config.stream = reader.text("stream", false, kMaxNameLength, config.stream);
  if (!is_stream_name(config.stream)) {
    reader.fail("stream", "Must be a name without spaces, '.', '*', '>', '/' or '\\'.");
  }
  config.create_stream = reader.boolean("createStream", config.create_stream);
  config.connect_timeout = std::chrono::milliseconds(reader.integer(
      "connectTimeoutMs", kMinTimeoutMs, kMaxConnectTimeoutMs, kDefaultConnectTimeoutMs));
  config.timeout = std::chrono::milliseconds(
      reader.integer("timeoutMs", kMinTimeoutMs, kMaxTimeoutMs, kDefaultTimeoutMs));
  config.max_in_flight =
      static_cast<std::size_t>(reader.integer("maxInFlight", 1, kMaxInFlight, kDefaultMaxInFlight));
  if (!errors.empty()) return std::nullopt;
  return config;
}

ConfigErrors validate_nats_config(const boost::json::object& object) {
  ConfigErrors errors;
  parse_nats_config(object, errors);
  return errors;
}

}  // namespace basalt::brokers
