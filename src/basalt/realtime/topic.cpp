#include "basalt/realtime/topic.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <unordered_set>

#include "basalt/core/api_error.hpp"
#include "basalt/query/request_info.hpp"

namespace basalt::realtime {
namespace {

namespace json = boost::json;

constexpr std::string_view kOptionsKey = "options";

core::ApiError invalid(std::string_view code, std::string_view message) {
  json::object field{{"code", code}, {"message", message}};
  return core::ApiError::bad_request("Something went wrong while processing your request.",
                                     json::object{{"subscriptions", std::move(field)}});
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape: `+` is a space, `%XX` a byte; a malformed escape is an error.
bool query_unescape(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out.push_back(' ');
    } else if (in[i] == '%') {
      if (i + 2 >= in.size()) return false;
      const int high = hex_digit(in[i + 1]);
      const int low = hex_digit(in[i + 2]);
      if (high < 0 || low < 0) return false;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return true;
}

// The raw (still escaped) value of `key` in a query string, first occurrence.
std::optional<std::string_view> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) {
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    }
  }
  return std::nullopt;
}

// A value of the options' query or headers as the string `@request.*` compares.
json::string as_text(const json::value& value) {
  if (value.is_string()) return value.get_string();
  return json::string(json::serialize(value));
}

json::object string_map(const json::value* member, bool header_names) {
  json::object out;
  if (member == nullptr || member->is_null()) return out;
  if (!member->is_object()) throw invalid("validation_invalid_options", "Invalid options.");
  for (const auto& [key, value] : member->get_object()) {
    if (header_names) {
      out[query::normalize_header_name(key)] = as_text(value);
    } else {
      out[key] = as_text(value);
    }
  }
  return out;
}

std::string member_text(const json::object& query, std::string_view key) {
  const auto* value = query.if_contains(key);
  return value ? std::string(value->get_string()) : std::string();
}

}  // namespace

std::string Topic::check_key() const {
  std::string key;
  key.reserve(collection.size() + record_id.size() + 16);
  key += record_id.empty() ? 'l' : 'v';
  key += '\0';
  key += json::serialize(query);
  key += '\0';
  key += json::serialize(headers);
  return key;
}

Topic parse_topic(std::string_view text) {
  Topic topic;
  topic.text.assign(text);
  const std::size_t question = text.find('?');
  const std::string_view path = text.substr(0, question);
  const std::size_t slash = path.find('/');
  topic.collection.assign(path.substr(0, slash));
  if (slash != std::string_view::npos) {
    const std::string_view rest = path.substr(slash + 1);
    if (rest != "*") topic.record_id.assign(rest);
  }
  if (question == std::string_view::npos) return topic;

  const auto raw = query_value(text.substr(question + 1), kOptionsKey);
  if (!raw || raw->empty()) return topic;
  std::string decoded;
  if (!query_unescape(*raw, decoded)) {
    throw invalid("validation_invalid_options", "Invalid options encoding.");
  }
  boost::system::error_code ec;
  json::value options = json::parse(decoded, ec);
  if (ec || !options.is_object()) {
    throw invalid("validation_invalid_options", "Invalid options JSON.");
  }
  const json::object& object = options.get_object();
  topic.query = string_map(object.if_contains("query"), false);
  topic.headers = string_map(object.if_contains("headers"), true);
  topic.filter = member_text(topic.query, "filter");
  topic.expand = member_text(topic.query, "expand");
  topic.fields = member_text(topic.query, "fields");
  return topic;
}

std::vector<Topic> parse_topics(const json::value* subscriptions) {
  std::vector<Topic> topics;
  if (subscriptions == nullptr || subscriptions->is_null()) return topics;
  if (!subscriptions->is_array()) {
    throw invalid("validation_invalid_value", "Must be a list of subscriptions.");
  }
  const json::array& list = subscriptions->get_array();
  if (list.size() > kMaxTopics) {
    throw invalid("validation_length_too_long",
                  "The length must be no more than " + std::to_string(kMaxTopics) + ".");
  }
  std::unordered_set<std::string_view> seen;
  for (const auto& item : list) {
    if (!item.is_string()) throw invalid("validation_invalid_value", "Must be a string.");
    const std::string_view text = item.get_string();
    if (text.size() > kMaxTopicLength) {
      throw invalid("validation_length_too_long", "Each subscription must be no more than " +
                                                      std::to_string(kMaxTopicLength) +
                                                      " characters.");
    }
    // The text is echoed as the SSE event name: a line break would end that line early.
    if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
      throw invalid("validation_invalid_value", "A subscription must not contain line breaks.");
    }
    if (text.empty() || !seen.insert(text).second) continue;
    topics.push_back(parse_topic(text));
  }
  return topics;
}

}  // namespace basalt::realtime
