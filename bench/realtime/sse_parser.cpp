#include "sse_parser.hpp"

#include <charconv>
#include <cstring>
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
      scan_record_fields(value, sent_us_, seq_, created_us_);
    }
  }
}

std::int64_t find_number(std::string_view json, std::string_view key) {
  std::size_t at = json.find(key);
  return at == std::string_view::npos ? -1 : number_at(json.substr(at + key.size()));
}

std::int64_t number_at(std::string_view text) {
  const char* first = text.data();
  const char* last = text.data() + text.size();
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
  return at == std::string_view::npos ? -1 : date_at(json.substr(at + key.size()));
}

std::int64_t date_at(std::string_view text) {
  // "2026-12-06 15:14:55.123Z": 24 characters between the quotes.
  if (text.size() < 26 || text[0] != '"' || text[25] != '"') return -1;
  text = text.substr(1, 24);
  auto field = [&](std::size_t offset, std::size_t length) {
    int value = -1;
    auto [end, error] = std::from_chars(text.data() + offset, text.data() + offset + length, value);
    return error == std::errc{} && end == text.data() + offset + length ? value : -1;
  };
  const int millis = field(20, 3);
  if (millis < 0) return -1;
  // Every message of a second shares its date and time: timegm() (a tenth of the generator's
  // CPU when called per message) runs once per second per thread.
  thread_local char cached_text[19] = {};
  thread_local std::int64_t cached_seconds = -1;
  if (cached_seconds < 0 || std::memcmp(cached_text, text.data(), sizeof cached_text) != 0) {
    std::tm utc{};
    utc.tm_year = field(0, 4) - 1900;
    utc.tm_mon = field(5, 2) - 1;
    utc.tm_mday = field(8, 2);
    utc.tm_hour = field(11, 2);
    utc.tm_min = field(14, 2);
    utc.tm_sec = field(17, 2);
    if (utc.tm_mon < 0 || utc.tm_mday < 0 || utc.tm_hour < 0 || utc.tm_min < 0 || utc.tm_sec < 0) {
      return -1;
    }
    cached_seconds = static_cast<std::int64_t>(timegm(&utc));
    std::memcpy(cached_text, text.data(), sizeof cached_text);
  }
  return cached_seconds * 1'000'000 + millis * 1'000;
}

void scan_record_fields(std::string_view json, std::int64_t& sent_us, std::int64_t& seq,
                        std::int64_t& created_us) {
  // One pass from quote to quote for the three keys: three finds compared every quote of the
  // line three times, most of the generator's CPU at a million messages a second.
  sent_us = seq = created_us = -1;
  const char* at = json.data();
  const char* const end = json.data() + json.size();
  int found = 0;
  while (found < 3 && at < end) {
    at = static_cast<const char*>(std::memchr(at, '"', static_cast<std::size_t>(end - at)));
    if (at == nullptr) break;
    const std::string_view rest(at + 1, static_cast<std::size_t>(end - at - 1));
    if (rest.starts_with("sent_us\":")) {
      sent_us = number_at(rest.substr(9));
      ++found;
    } else if (rest.starts_with("seq\":")) {
      seq = number_at(rest.substr(5));
      ++found;
    } else if (rest.starts_with("created\":")) {
      created_us = date_at(rest.substr(9));
      ++found;
    }
    ++at;
  }
}

}  // namespace rtbench
