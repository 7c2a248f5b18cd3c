#include "sse_parser.hpp"

#include <charconv>
#include <ctime>

namespace rtbench {

void SseParser::reset() {
  std::string().swap(carry_);
  last_id_.clear();  // kept allocated: the next stream's id has the same length
  sent_us_ = -1;
  seq_ = -1;
  created_us_ = -1;
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
      created_us_ = find_date_us(value, "\"created\":");
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

std::int64_t find_date_us(std::string_view json, std::string_view key) {
  std::size_t at = json.find(key);
  if (at == std::string_view::npos) return -1;
  std::string_view text = json.substr(at + key.size());
  // "2026-12-06 15:14:55.123Z": 24 characters between the quotes.
  if (text.size() < 26 || text[0] != '"' || text[25] != '"') return -1;
  text = text.substr(1, 24);
  auto field = [&](std::size_t offset, std::size_t length) {
    int value = -1;
    auto [end, error] = std::from_chars(text.data() + offset, text.data() + offset + length, value);
    return error == std::errc{} && end == text.data() + offset + length ? value : -1;
  };
  std::tm utc{};
  utc.tm_year = field(0, 4) - 1900;
  utc.tm_mon = field(5, 2) - 1;
  utc.tm_mday = field(8, 2);
  utc.tm_hour = field(11, 2);
  utc.tm_min = field(14, 2);
  utc.tm_sec = field(17, 2);
  const int millis = field(20, 3);
  if (utc.tm_mon < 0 || utc.tm_mday < 0 || utc.tm_hour < 0 || utc.tm_min < 0 || utc.tm_sec < 0 ||
      millis < 0) {
    return -1;
  }
  return static_cast<std::int64_t>(timegm(&utc)) * 1'000'000 + millis * 1'000;
}

}  // namespace rtbench
