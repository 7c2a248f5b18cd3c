#include "basalt/schema/text_formats.hpp"

#include <re2/re2.h>

#include <cctype>
#include <string>

#include "basalt/schema/validation_errors.hpp"

namespace basalt::schema {
namespace {

// Non-ASCII ranges allowed in email atoms and domain labels (the HTML/RFC 5322 grammar).
#define BASALT_UCS "\\x{00A0}-\\x{D7FF}\\x{F900}-\\x{FDCF}\\x{FDF0}-\\x{FFEF}"
// Non-ASCII ranges allowed in URL host labels.
#define BASALT_UCS_HOST "\\x{00A1}-\\x{FFFF}"

const RE2& email_regex() {
  static const RE2 regex(
      // local part: dot-atom ...
      "^(?:[a-zA-Z0-9!#$%&'*+\\-/=?^_`{|}~" BASALT_UCS
      "]+"
      "(?:\\.[a-zA-Z0-9!#$%&'*+\\-/=?^_`{|}~" BASALT_UCS
      "]+)*"
      // ... or a quoted string of qtext, quoted pairs and folding white space
      "|\"(?:[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f\\x21\\x23-\\x5b\\x5d-\\x7e" BASALT_UCS
      "]|\\\\[\\x01-\\x09\\x0b\\x0c\\x0d-\\x7f" BASALT_UCS
      "]|[ \\t]|\\r\\n[ \\t])*\")"
      "@"
      // domain labels, each followed by a dot ...
      "(?:(?:[a-zA-Z0-9" BASALT_UCS "]|[a-zA-Z0-9" BASALT_UCS "][a-zA-Z0-9\\-._~" BASALT_UCS
      "]*[a-zA-Z0-9" BASALT_UCS
      "])\\.)+"
      // ... then a last label that starts and ends with a letter, and an optional final dot
      "(?:[a-zA-Z" BASALT_UCS "]|[a-zA-Z" BASALT_UCS "][a-zA-Z0-9\\-_~" BASALT_UCS
      "]*[a-zA-Z" BASALT_UCS "])\\.?$");
  return regex;
}

const RE2& url_regex() {
  static const RE2 regex(
      "^(?:(?:ftp|tcp|udp|wss?|https?)://)?"  // scheme
      "(?:\\S+(?::\\S*)?@)?"                  // user info
      "(?:"
      // IPv4 (first octet 1-223 or 240-255, as govalidator)
      "(?:[1-9]\\d?|1\\d\\d|2[01]\\d|22[0-3]|24\\d|25[0-5])"
      "(?:\\.(?:\\d{1,2}|1\\d\\d|2[0-4]\\d|25[0-5])){2}"
      "\\.(?:[0-9]\\d?|1\\d\\d|2[0-4]\\d|25[0-5])"
      // [IPv6]
      "|\\[[0-9a-fA-F:.]+(?:%[0-9a-zA-Z]+)?\\]"
      // host name: labels of letters/digits with inner '-' or '_', joined by dots
      "|[a-zA-Z0-9" BASALT_UCS_HOST "](?:[a-zA-Z0-9" BASALT_UCS_HOST
      "_-]*[a-zA-Z0-9" BASALT_UCS_HOST "])?(?:\\.[a-zA-Z0-9" BASALT_UCS_HOST
      "](?:[a-zA-Z0-9" BASALT_UCS_HOST "_-]*[a-zA-Z0-9" BASALT_UCS_HOST
      "])?)*"
      ")\\.?"
      "(?::\\d{1,5})?"     // port
      "(?:[/?#]\\S*)?$");  // path, query, fragment
  return regex;
}

#undef BASALT_UCS
#undef BASALT_UCS_HOST

bool matches(const RE2& regex, std::string_view text) {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), regex);
}

constexpr std::size_t kMaxUrlRunes = 2083;
constexpr std::size_t kMinUrlBytes = 4;

bool ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

bool is_email(std::string_view text) {
  if (text.find("=?") != std::string_view::npos && text.find("?=") != std::string_view::npos) {
    return false;
  }
  return matches(email_regex(), text);
}

std::string_view url_host(std::string_view url) {
  std::size_t start = url.find("://");
  if (start != std::string_view::npos) {
    start += 3;
  } else if (url.substr(0, 2) == "//") {
    start = 2;
  } else {
    return {};
  }
  std::size_t end = url.find_first_of("/?#", start);
  std::string_view authority =
      url.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
  if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  return authority;
}

bool is_url(std::string_view text) {
  if (text.empty() || text.size() < kMinUrlBytes || rune_count(text) >= kMaxUrlRunes ||
      text[0] == '.') {
    return false;
  }
  std::string lower(text.substr(0, 7));
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view bad : {"http//", "https//", "ftp//", "tcp//", "udp//", "ws//", "wss//"}) {
    if (std::string_view(lower).substr(0, bad.size()) == bad) return false;
  }
  bool has_scheme = text.find("://") != std::string_view::npos;
  if (has_scheme || text.find(':') != std::string_view::npos) {
    std::string with_scheme = has_scheme ? std::string(text) : "http://" + std::string(text);
    if (url_host(with_scheme).substr(0, 1) == ".") return false;
  } else if (text.find('.') == std::string_view::npos) {
    return false;  // no host and a path without a dot: Go's url.Parse finds nothing URL-like
  }
  return matches(url_regex(), text);
}

bool is_domain(std::string_view text) {
  constexpr std::size_t kMaxDomain = 255;
  constexpr std::size_t kMaxLabel = 63;
  if (text.empty() || text.size() > kMaxDomain) return false;
  std::size_t labels = 0;
  std::size_t pos = 0;
  while (true) {
    std::size_t dot = text.find('.', pos);
    std::string_view label =
        text.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    bool last = dot == std::string_view::npos;
    if (label.empty() || label.size() > kMaxLabel) return false;
    ++labels;
    if (last) {
      for (char c : label) {
        if (!ascii_alpha(c)) return false;
      }
      break;
    }
    if (!ascii_alnum(label.front()) || !ascii_alnum(label.back())) return false;
    for (char c : label) {
      if (!ascii_alnum(c) && c != '-') return false;
    }
    pos = dot + 1;
  }
  return labels >= 2;
}

}  // namespace basalt::schema
