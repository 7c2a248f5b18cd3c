#include "basalt/schema/datetime.hpp"

#include <fmt/format.h>

#include <cctype>

namespace basalt::schema {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

constexpr sys_days kYearOne = sys_days(std::chrono::year(1) / 1 / 1);
constexpr sys_days kUnixEpoch = sys_days(std::chrono::year(1970) / 1 / 1);

// A cursor over the text being parsed; every reader returns false without consuming on mismatch.
struct Cursor {
  std::string_view text;
  std::size_t pos = 0;

  bool done() const { return pos == text.size(); }
  bool peek(char c) const { return pos < text.size() && text[pos] == c; }
  bool take(char c) {
    if (!peek(c)) return false;
    ++pos;
    return true;
  }
  bool digits(std::size_t count, int& out) {
    if (pos + count > text.size()) return false;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      char c = text[pos + i];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    pos += count;
    out = value;
    return true;
  }
};

struct Parts {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::int64_t micros = 0;
  std::int64_t offset_seconds = 0;  // zone offset east of UTC
};

bool parse_zone(Cursor& in, Parts& parts) {
  if (in.take('Z')) return true;
  std::size_t saved = in.pos;
  in.take(' ');
  if (in.text.substr(in.pos) == "UTC") {
    in.pos = in.text.size();
    return true;
  }
  int sign = in.take('+') ? 1 : in.take('-') ? -1 : 0;
  int hh = 0;
  int mm = 0;
  if (sign == 0 || !in.digits(2, hh)) {
    in.pos = saved;
    return false;
  }
  in.take(':');
  if (!in.digits(2, mm) || hh > 23 || mm > 59) {
    in.pos = saved;
    return false;
  }
  parts.offset_seconds = sign * (hh * 3600 + mm * 60);
  if (in.take(' ')) {  // Go's "-0700 MST" style trailer: accept a zone abbreviation
    while (!in.done() && std::isalpha(static_cast<unsigned char>(in.text[in.pos]))) ++in.pos;
  }
  return true;
}

bool parse_parts(std::string_view text, Parts& parts) {
  Cursor in{text};
  if (!in.digits(4, parts.year) || !in.take('-') || !in.digits(2, parts.month) || !in.take('-') ||
      !in.digits(2, parts.day)) {
    return false;
  }
  if (in.done()) return true;
  if (!in.take('T') && !in.take(' ')) return false;
  if (!in.digits(2, parts.hour) || !in.take(':') || !in.digits(2, parts.minute)) return false;
  if (in.take(':')) {
    if (!in.digits(2, parts.second)) return false;
    if (in.take('.')) {
      std::size_t start = in.pos;
      std::int64_t scale = 100'000;
      while (!in.done() && in.text[in.pos] >= '0' && in.text[in.pos] <= '9') {
        if (scale > 0) {
          parts.micros += (in.text[in.pos] - '0') * scale;
          scale /= 10;
        }
        ++in.pos;
      }
      std::size_t count = in.pos - start;
      if (count == 0 || count > 9) return false;
    }
  }
  if (!in.done() && !parse_zone(in, parts)) return false;
  return in.done() && parts.hour < 24 && parts.minute < 60 && parts.second < 60;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

struct Broken {
  year_month_day date;
  std::int64_t micros_of_day;
};

Broken split(std::int64_t micros) {
  std::int64_t day_index = floor_div(micros, kMicrosPerDay);
  return Broken{year_month_day(kYearOne + days(day_index)), micros - day_index * kMicrosPerDay};
}

}  // namespace

std::optional<DateTime> DateTime::parse(std::string_view text) {
  Parts parts;
  if (!parse_parts(text, parts)) return std::nullopt;
  year_month_day date{std::chrono::year(parts.year),
                      std::chrono::month(static_cast<unsigned>(parts.month)),
                      std::chrono::day(static_cast<unsigned>(parts.day))};
  if (!date.ok()) return std::nullopt;
  std::int64_t day_index = (sys_days(date) - kYearOne).count();
  std::int64_t seconds =
      parts.hour * 3600 + parts.minute * 60 + parts.second - parts.offset_seconds;
  return DateTime(day_index * kMicrosPerDay + seconds * kMicrosPerSecond + parts.micros);
}

DateTime DateTime::from_time_point(std::chrono::system_clock::time_point time) {
  auto since_epoch =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  std::int64_t epoch_offset = (kUnixEpoch - kYearOne).count() * kMicrosPerDay;
  return DateTime(since_epoch + epoch_offset);
}

std::string DateTime::to_string() const {
  if (is_zero()) return {};
  Broken b = split(micros_);
  std::int64_t secs = b.micros_of_day / kMicrosPerSecond;
  const int year = int(b.date.year());
  const auto millis = (b.micros_of_day % kMicrosPerSecond) / 1000;
  if (year < 0 || year > 9999) {
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03}Z", year, unsigned(b.date.month()),
                       unsigned(b.date.day()), secs / 3600, (secs / 60) % 60, secs % 60, millis);
  }
  // Written digit by digit: every create formats `created` and `updated` (and the outbox row
  // its commit time), and a runtime format string costs ~20x this.
  std::string out(24, '\0');
  auto put = [&out](std::size_t at, std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[at + i] = char('0' + value % 10);
  };
  put(0, year, 4);
  out[4] = '-';
  put(5, unsigned(b.date.month()), 2);
  out[7] = '-';
  put(8, unsigned(b.date.day()), 2);
  out[10] = ' ';
  put(11, secs / 3600, 2);
  out[13] = ':';
  put(14, (secs / 60) % 60, 2);
  out[16] = ':';
  put(17, secs % 60, 2);
  out[19] = '.';
  put(20, millis, 3);
  out[23] = 'Z';
  return out;
}

std::string DateTime::to_go_string() const {
  Broken b = split(micros_);
  std::int64_t secs = b.micros_of_day / kMicrosPerSecond;
  std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", int(b.date.year()),
                                unsigned(b.date.month()), unsigned(b.date.day()), secs / 3600,
                                (secs / 60) % 60, secs % 60);
  if (std::int64_t frac = b.micros_of_day % kMicrosPerSecond; frac != 0) {
    std::string digits = fmt::format("{:06}", frac);
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + " +0000 UTC";
}

std::string DateTime::to_rfc3339() const {
  Broken b = split(micros_);
  std::int64_t secs = b.micros_of_day / kMicrosPerSecond;
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", int(b.date.year()),
                                unsigned(b.date.month()), unsigned(b.date.day()), secs / 3600,
                                (secs / 60) % 60, secs % 60);
  if (std::int64_t frac = b.micros_of_day % kMicrosPerSecond; frac != 0) {
    std::string digits = fmt::format("{:06}", frac);
    while (digits.back() == '0') digits.pop_back();
    out += "." + digits;
  }
  return out + "Z";
}

std::string format_datetime(std::chrono::system_clock::time_point time) {
  return DateTime::from_time_point(time).to_string();
}

}  // namespace basalt::schema
