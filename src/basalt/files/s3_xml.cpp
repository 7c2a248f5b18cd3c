#include "basalt/files/s3_xml.hpp"

#include <cstdint>

namespace basalt::files {
namespace {

// Appends code point `cp` as UTF-8; invalid code points become U+FFFD.
void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Decodes the entity `name` (between '&' and ';'); false when it is not one.
bool decode_entity(std::string_view name, std::string& out) {
  if (name == "amp") return out.push_back('&'), true;
  if (name == "lt") return out.push_back('<'), true;
  if (name == "gt") return out.push_back('>'), true;
  if (name == "quot") return out.push_back('"'), true;
  if (name == "apos") return out.push_back('\''), true;
  if (name.size() < 2 || name[0] != '#') return false;
  const bool hex = name[1] == 'x' || name[1] == 'X';
  std::string_view digits = name.substr(hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return false;
  std::uint32_t cp = 0;
  for (char c : digits) {
    std::uint32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (hex && c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (hex && c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
    cp = cp * (hex ? 16 : 10) + digit;
  }
  append_utf8(out, cp);
  return true;
}

// Position just after the opening tag `<name>` or `<name ...>` found at or after `from`, with
// `open_at` set to the '<'; npos when there is none. A self-closing `<name/>` is skipped.
std::size_t find_open(std::string_view xml, std::string_view name, std::size_t from,
                      std::size_t& open_at) {
  while (from < xml.size()) {
    const std::size_t lt = xml.find('<', from);
    if (lt == std::string_view::npos || lt + 1 + name.size() >= xml.size()) {
      return std::string_view::npos;
    }
    from = lt + 1;
    if (xml.compare(lt + 1, name.size(), name) != 0) continue;
    const char after = xml[lt + 1 + name.size()];
    if (after != '>' && after != ' ' && after != '\t' && after != '\r' && after != '\n') continue;
    const std::size_t gt = xml.find('>', lt);
    if (gt == std::string_view::npos) return std::string_view::npos;
    if (xml[gt - 1] == '/') continue;  // <name/>: no content
    open_at = lt;
    return gt + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::string xml_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '&') {
      const std::size_t semi = text.find(';', i + 1);
      if (semi != std::string_view::npos && semi - i <= 12 &&
          decode_entity(text.substr(i + 1, semi - i - 1), out)) {
        i = semi + 1;
        continue;
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::vector<std::string_view> xml_elements(std::string_view xml, std::string_view name) {
  std::vector<std::string_view> out;
  if (name.empty()) return out;
  const std::string close = "</" + std::string(name) + ">";
  std::size_t from = 0;
  while (true) {
    std::size_t open_at = 0;
    const std::size_t content = find_open(xml, name, from, open_at);
    if (content == std::string_view::npos) break;
    const std::size_t end = xml.find(close, content);
    if (end == std::string_view::npos) break;  // never closed: nothing more to read
    out.push_back(xml.substr(content, end - content));
    from = end + close.size();
  }
  return out;
}

std::vector<std::string> xml_texts(std::string_view xml, std::string_view name) {
  std::vector<std::string> out;
  for (std::string_view raw : xml_elements(xml, name)) out.push_back(xml_unescape(raw));
  return out;
}

std::optional<std::string> xml_text(std::string_view xml, std::string_view name) {
  const std::string close = "</" + std::string(name) + ">";
  std::size_t open_at = 0;
  const std::size_t content = find_open(xml, name, 0, open_at);
  if (content == std::string_view::npos) return std::nullopt;
  const std::size_t end = xml.find(close, content);
  if (end == std::string_view::npos) return std::nullopt;
  return xml_unescape(xml.substr(content, end - content));
}

ListPage parse_list_page(std::string_view xml) {
  ListPage page;
  // Keys sit in <Contents>; <CommonPrefixes> (only with a delimiter, never sent) hold <Prefix>.
  for (std::string_view contents : xml_elements(xml, "Contents")) {
    if (auto key = xml_text(contents, "Key")) page.keys.push_back(std::move(*key));
  }
  page.truncated = xml_text(xml, "IsTruncated").value_or("false") == "true";
  page.next_token = xml_text(xml, "NextContinuationToken").value_or("");
  return page;
}

std::string s3_error_summary(std::string_view xml) {
  const std::string code = xml_text(xml, "Code").value_or("");
  const std::string message = xml_text(xml, "Message").value_or("");
  if (code.empty()) return message;
  if (message.empty()) return code;
  return code + ": " + message;
}

}  // namespace basalt::files
