#include "sse_parser.hpp"

#include <charconv>

namespace rtbench {

void SseParser::reset() {
  std::string().swap(carry_);
  last_id_.clear();  // kept allocated: the next stream's id has the same length
  sent_us_ = -1;
  seq_ = -1;
  message_ = Message::none;
}

void SseParser::take_field(std::string_view line) {
  if (line.front() == ':') return;  // a comment (keep-alive)
  std::size_t colon = line.find(':');
  std::string_view name = line.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (name == "id") {
    if (value != last_id_) last_id_.assign(value);
  } else if (name == "event") {
    message_ = value == "PB_CONNECT" ? Message::connect : Message::record;
  } else if (name == "data") {
    if (message_ == Message::record) {
      sent_us_ = find_number(value, "\"sent_us\":");
      seq_ = find_number(value, "\"seq\":");
    }
  }
}

std::int64_t find_number(std::string_view json, std::string_view key) {
  std::size_t at = json.find(key);
  if (at == std::string_view::npos) return -1;
  const char* first = json.data() + at + key.size();
  const char* last = json.data() + json.size();
  while (first < last && *first == ' ') ++first;
  std::int64_t whole = -1;
  auto [end, error] = std::from_chars(first, last, whole);
  if (error != std::errc{}) return -1;
  if (end < last && (*end == '.' || *end == 'e' || *end == 'E')) {
    double number = 0;
    auto [double_end, double_error] = std::from_chars(first, last, number);
    if (double_error != std::errc{}) return -1;
    whole = static_cast<std::int64_t>(number);
  }
  return whole;
}

}  // namespace rtbench
