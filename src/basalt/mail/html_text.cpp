#include "basalt/mail/html_text.hpp"

#include <cctype>
#include <cstdint>

namespace basalt::mail {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Decodes the reference at html[i] == '&' into `out`; returns the index after it (i + 1 and a
// literal '&' when it is not one we know).
std::size_t decode_reference(std::string_view html, std::size_t i, std::string& out) {
  const std::size_t semi = html.find(';', i);
  if (semi == std::string_view::npos || semi - i > 10) {
    out.push_back('&');
    return i + 1;
  }
  const std::string_view name = html.substr(i + 1, semi - i - 1);
  struct Named {
    std::string_view name, text;
  };
  static constexpr Named kNamed[] = {
      {"amp", "&"},  {"lt", "<"},   {"gt", ">"},          {"quot", "\""},
      {"apos", "'"}, {"nbsp", " "}, {"copy", "\xc2\xa9"}, {"hellip", "\xe2\x80\xa6"}};
  for (const auto& entry : kNamed) {
    if (entry.name == name) {
      out.append(entry.text);
      return semi + 1;
    }
  }
  if (name.size() >= 2 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    std::uint32_t cp = 0;
    bool ok = name.size() > (hex ? 2u : 1u);
    for (std::size_t k = hex ? 2 : 1; ok && k < name.size(); ++k) {
      const char c = name[k];
      int digit = -1;
      if (c >= '0' && c <= '9')
        digit = c - '0';
      else if (hex && c >= 'a' && c <= 'f')
        digit = c - 'a' + 10;
      else if (hex && c >= 'A' && c <= 'F')
        digit = c - 'A' + 10;
      if (digit < 0 || cp > 0x10ffff)
        ok = false;
      else
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
    }
    if (ok) {
      append_utf8(out, cp);
      return semi + 1;
    }
  }
  out.push_back('&');
  return i + 1;
}

std::string decode_references(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '&') {
      i = decode_reference(text, i, out);
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

// The value of attribute `name` in a tag's text (`a href="x" class=y`), or "".
std::string attribute(std::string_view tag, std::string_view name) {
  const std::string low = lower(tag);
  std::size_t at = 0;
  while ((at = low.find(name, at)) != std::string::npos) {
    const bool starts = at > 0 && std::isspace(static_cast<unsigned char>(low[at - 1]));
    std::size_t k = at + name.size();
    while (k < low.size() && low[k] == ' ') ++k;
    if (!starts || k >= low.size() || low[k] != '=') {
      at += name.size();
      continue;
    }
    ++k;
    while (k < low.size() && low[k] == ' ') ++k;
    if (k >= tag.size()) return {};
    const char quote = tag[k];
    if (quote == '"' || quote == '\'') {
      const std::size_t end = tag.find(quote, k + 1);
      return std::string(tag.substr(k + 1, end == std::string_view::npos ? end : end - k - 1));
    }
    std::size_t end = k;
    while (end < tag.size() && !std::isspace(static_cast<unsigned char>(tag[end]))) ++end;
    return std::string(tag.substr(k, end - k));
  }
  return {};
}

// Collapses spaces within lines, trims them, and keeps at most one blank line in a row.
std::string tidy(std::string_view raw) {
  std::string out;
  std::string line;
  int blank_lines = 0;
  auto flush = [&] {
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (line.empty()) {
      if (!out.empty() && blank_lines == 0) out.push_back('\n');
      ++blank_lines;
    } else {
      out.append(line).push_back('\n');
      blank_lines = 0;
    }
    line.clear();
  };
  for (char c : raw) {
    if (c == '\n') {
      flush();
    } else if (c == ' ' || c == '\t' || c == '\r') {
      if (!line.empty() && line.back() != ' ') line.push_back(' ');
    } else {
      line.push_back(c);
    }
  }
  flush();
  while (!out.empty() && (out.back() == '\n')) out.pop_back();
  return out;
}

}  // namespace

std::string html_to_text(std::string_view html) {
  std::string raw;
  std::string link;  // href of the <a> being read
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '&') {
      i = decode_reference(html, i, raw);
      continue;
    }
    if (c == '\n' || c == '\r' || c == '\t') {
      raw.push_back(' ');  // source line breaks are layout, not text
      ++i;
      continue;
    }
    if (c != '<') {
      raw.push_back(c);
      ++i;
      continue;
    }
    const std::size_t close = html.find('>', i);
    if (close == std::string_view::npos) break;  // an unfinished tag: nothing after it is text
    const std::string_view tag = html.substr(i + 1, close - i - 1);
    std::string name;
    for (std::size_t k = tag.starts_with('/') ? 1 : 0; k < tag.size(); ++k) {
      const auto u = static_cast<unsigned char>(tag[k]);
      if (!std::isalnum(u)) break;
      name.push_back(static_cast<char>(std::tolower(u)));
    }
    const bool closing = tag.starts_with('/');
    i = close + 1;
    if (!closing && (name == "style" || name == "script" || name == "head")) {
      const std::size_t end = lower(html.substr(i)).find("</" + name);
      i = end == std::string::npos ? html.size() : i + end;
      continue;
    }
    if (name == "br" || (closing && (name == "p" || name == "div" || name == "li" || name == "tr" ||
                                     name == "table" || name == "h1" || name == "h2" ||
                                     name == "h3" || name == "h4"))) {
      raw.push_back('\n');
      if (name == "p") raw.push_back('\n');
    } else if (name == "a" && !closing) {
      link = decode_references(attribute(tag, "href"));
    } else if (name == "a" && closing && !link.empty()) {
      raw.append(" (").append(link).append(")");
      link.clear();
    }
  }
  return tidy(raw);
}

}  // namespace basalt::mail
