#include "basalt/files/conditional.hpp"

#include <ctime>

namespace basalt::files {
namespace {

enum class Condition { kNone, kTrue, kFalse };

// Strips HTTP optional whitespace (OWS: spaces and tabs) at both ends.
std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool etag_char(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80;
}

// The entity tag at the front of `text` (W/"x" or "x") and what follows it; an empty tag when
// the front is not one.
std::pair<std::string_view, std::string_view> scan_etag(std::string_view text) {
  text = trim_ows(text);
  std::size_t start = 0;
  if (text.starts_with("W/")) start = 2;
  if (text.size() - start < 2 || text[start] != '"') return {};
  for (std::size_t i = start + 1; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"') return {text.substr(0, i + 1), text.substr(i + 1)};
    if (!etag_char(c)) return {};
  }
  return {};
}

bool is_weak(std::string_view tag) {
  return tag.starts_with("W/");
}

std::string_view opaque(std::string_view tag) {
  return is_weak(tag) ? tag.substr(2) : tag;
}

bool strong_match(std::string_view a, std::string_view b) {
  return !a.empty() && a == b && !is_weak(a);
}

bool weak_match(std::string_view a, std::string_view b) {
  return !a.empty() && !b.empty() && opaque(a) == opaque(b);
}

// Walks a list of entity tags (If-Match, If-None-Match); `*` matches any existing object.
template <typename Match>
Condition any_tag_matches(std::string_view list, std::string_view etag, Match match) {
  while (true) {
    list = trim_ows(list);
    if (list.empty()) return Condition::kFalse;
    if (list.front() == ',') {
      list.remove_prefix(1);
      continue;
    }
    if (list.front() == '*') return Condition::kTrue;
    auto [tag, rest] = scan_etag(list);
    if (tag.empty()) return Condition::kFalse;
    if (match(tag, etag)) return Condition::kTrue;
    list = rest;
  }
}

std::chrono::seconds whole_seconds(TimePoint time) {
  return std::chrono::floor<std::chrono::seconds>(time.time_since_epoch());
}

bool has_time(TimePoint time) {
  return time.time_since_epoch().count() != 0;
}

Condition if_match(const ConditionalHeaders& headers, const Validators& object) {
  if (headers.if_match.empty()) return Condition::kNone;
  return any_tag_matches(headers.if_match, object.etag, strong_match);
}

Condition if_unmodified_since(const ConditionalHeaders& headers, const Validators& object) {
  if (headers.if_unmodified_since.empty() || !has_time(object.modified)) return Condition::kNone;
  const auto since = parse_http_date(headers.if_unmodified_since);
  if (!since) return Condition::kNone;
  return whole_seconds(object.modified) <= whole_seconds(*since) ? Condition::kTrue
                                                                 : Condition::kFalse;
}

// kFalse: the client's copy is current.
Condition if_none_match(const ConditionalHeaders& headers, const Validators& object) {
  if (headers.if_none_match.empty()) return Condition::kNone;
  return any_tag_matches(headers.if_none_match, object.etag, weak_match) == Condition::kTrue
             ? Condition::kFalse
             : Condition::kTrue;
}

Condition if_modified_since(const ConditionalHeaders& headers, const Validators& object) {
  if (headers.if_modified_since.empty() || !has_time(object.modified)) return Condition::kNone;
  const auto since = parse_http_date(headers.if_modified_since);
  if (!since) return Condition::kNone;
  return whole_seconds(object.modified) <= whole_seconds(*since) ? Condition::kFalse
                                                                 : Condition::kTrue;
}

Condition if_range(const ConditionalHeaders& headers, const Validators& object) {
  if (headers.if_range.empty()) return Condition::kNone;
  auto [tag, rest] = scan_etag(headers.if_range);
  if (!tag.empty()) return strong_match(tag, object.etag) ? Condition::kTrue : Condition::kFalse;
  if (!has_time(object.modified)) return Condition::kFalse;
  const auto date = parse_http_date(headers.if_range);
  if (!date) return Condition::kFalse;
  return whole_seconds(*date) == whole_seconds(object.modified) ? Condition::kTrue
                                                                : Condition::kFalse;
}

}  // namespace

ConditionalDecision check_conditions(const ConditionalHeaders& headers, const Validators& object) {
  ConditionalDecision decision;
  Condition precondition = if_match(headers, object);
  if (precondition == Condition::kNone) precondition = if_unmodified_since(headers, object);
  if (precondition == Condition::kFalse) {
    decision.outcome = Precondition::kFailed;
    return decision;
  }
  switch (if_none_match(headers, object)) {
    case Condition::kFalse:
      decision.outcome = Precondition::kNotModified;
      return decision;
    case Condition::kNone:
      if (if_modified_since(headers, object) == Condition::kFalse) {
        decision.outcome = Precondition::kNotModified;
        return decision;
      }
      break;
    case Condition::kTrue:
      break;
  }
  decision.range_applies = if_range(headers, object) != Condition::kFalse;
  return decision;
}

std::optional<TimePoint> parse_http_date(std::string_view text) {
  text = trim_ows(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string copy(text);
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    std::tm tm{};
    const char* end = strptime(copy.c_str(), format, &tm);
    if (!end || *end != '\0') continue;
    const std::time_t seconds = timegm(&tm);
    if (seconds == static_cast<std::time_t>(-1)) continue;
    return TimePoint(std::chrono::seconds(seconds));
  }
  return std::nullopt;
}

std::string format_http_date(TimePoint time) {
  const std::time_t seconds = static_cast<std::time_t>(whole_seconds(time).count());
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(text, length);
}

}  // namespace basalt::files
