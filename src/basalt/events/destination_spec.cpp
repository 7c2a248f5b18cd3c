#include "basalt/events/destination_spec.hpp"

#include <algorithm>
#include <stdexcept>

#include "basalt/brokers/broker_destination.hpp"
#include "basalt/events/webhook_sender.hpp"
#include "basalt/events/webhook_signature.hpp"

namespace basalt::events {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::size_t kMaxHeaders = 20;
constexpr std::size_t kMaxHeaderBytes = 1024;

json::object config_error(std::string_view code, std::string_view message) {
  return json::object{{"code", code}, {"message", message}};
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Headers the sender sets itself: a configured one may not replace them.
bool reserved_header(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "content-type" || lower == "content-length" || lower == "host" ||
         lower == "transfer-encoding" || lower == "connection" || lower.starts_with("webhook-");
}

void validate_webhook(json::object& config, json::object& errors) {
  const json::value* url = config.if_contains("url");
  if (!url || !url->is_string() || url->get_string().empty()) {
    errors["url"] = config_error("validation_required", "Cannot be blank.");
  } else {
    const std::string_view text = url->get_string();
    const bool scheme = text.starts_with("http://") || text.starts_with("https://");
    if (!scheme || text.size() > kMaxUrlBytes ||
        text.find_first_of(" \t\r\n") != std::string_view::npos) {
      errors["url"] = config_error("validation_invalid_url",
                                   "Must be an http:// or https:// URL of at most 2048 bytes.");
    } else {
      // A URL with credentials would put a secret where logs and listings show it.
      const std::size_t host_start = text.find("://") + 3;
      const std::string_view authority =
          text.substr(host_start, text.find_first_of("/?#", host_start) - host_start);
      if (authority.empty() || authority.find('@') != std::string_view::npos) {
        errors["url"] =
            config_error("validation_invalid_url", "Must name a host and carry no credentials.");
      }
    }
  }
  json::value* secret = config.if_contains("secret");
  if (!secret || secret->is_null() || (secret->is_string() && secret->get_string().empty())) {
    config["secret"] = generate_webhook_secret();
  } else if (!secret->is_string() || !webhook_secret_key(secret->get_string())) {
    errors["secret"] =
        config_error("validation_invalid_secret",
                     "Must be whsec_ followed by the standard base64 of 24 to 64 bytes.");
  }
  json::value* headers = config.if_contains("headers");
  if (!headers || headers->is_null()) {
    config["headers"] = json::object{};
  } else if (!headers->is_object() || headers->get_object().size() > kMaxHeaders) {
    errors["headers"] = config_error("validation_invalid_headers",
                                     "Must be an object of at most 20 header names to strings.");
  } else {
    for (const auto& [name, value] : headers->get_object()) {
      const bool name_ok = !name.empty() && name.size() <= 128 &&
                           std::all_of(name.begin(), name.end(), is_token_char) &&
                           !reserved_header(name);
      const bool value_ok = value.is_string() && value.get_string().size() <= kMaxHeaderBytes &&
                            value.get_string().find_first_of("\r\n") == json::string::npos;
      if (!name_ok || !value_ok) {
        errors["headers"] = config_error(
            "validation_invalid_headers",
            "Header names must be tokens other than Content-Type, Host and webhook-*; values "
            "strings of at most 1024 bytes without line breaks.");
        break;
      }
    }
  }
  for (auto it = config.begin(); it != config.end();) {
    const std::string_view key = it->key();
    if (key != "url" && key != "secret" && key != "headers") {
      it = config.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace

bool DestinationSpec::wants_action(std::string_view action) const {
  return actions.empty() || std::find(actions.begin(), actions.end(), action) != actions.end();
}

bool DestinationSpec::wants_collection(std::string_view collection_id) const {
  return collections.empty() ||
         std::find(collections.begin(), collections.end(), collection_id) != collections.end();
}

json::object validate_destination_config(std::string_view type, json::object& config) {
  json::object errors;
  if (type == kWebhookType) {
    validate_webhook(config, errors);
  } else if (brokers::is_broker_type(type)) {
    // The connectors word their errors as field -> message (docs/brokers.md).
    for (const auto& [field, message] : brokers::validate_broker_config(type, config)) {
      errors[field] = config_error("validation_invalid_value", message);
    }
  } else {
    errors["type"] = config_error("validation_invalid_type", "Unknown destination type.");
  }
  return errors;
}

std::unique_ptr<Destination> make_destination(const DestinationSpec& spec,
                                              const DestinationOptions& options) {
  if (spec.type == kWebhookType) {
    WebhookTarget target;
    target.url = std::string(spec.config.at("url").as_string());
    std::optional<std::string> key = webhook_secret_key(spec.config.at("secret").as_string());
    if (!key) throw std::invalid_argument("webhook secret is invalid");
    target.key = std::move(*key);
    if (const json::value* headers = spec.config.if_contains("headers");
        headers && headers->is_object()) {
      for (const auto& [name, value] : headers->get_object()) {
        if (value.is_string()) {
          target.headers.emplace_back(std::string(name), std::string(value.get_string()));
        }
      }
    }
    return std::make_unique<WebhookSender>(std::move(target), options.allow_private);
  }
  if (brokers::is_broker_type(spec.type)) {
    std::unique_ptr<Destination> broker =
        brokers::make_broker_destination(spec.type, spec.config, options.brokers_allow_private);
    if (!broker) throw std::invalid_argument(spec.type + " configuration is invalid");
    return broker;
  }
  throw std::invalid_argument("unknown destination type " + spec.type);
}

}  // namespace basalt::events
