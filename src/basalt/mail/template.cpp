#include "basalt/mail/template.hpp"

#include <boost/json/serialize.hpp>
#include <optional>

namespace basalt::mail {
namespace {

constexpr std::string_view kRecordPrefix = "RECORD:";
constexpr std::size_t kMaxPlaceholderLength = 128;

std::optional<std::string> lookup(std::string_view key, const TemplateValues& values) {
  if (key.starts_with(kRecordPrefix)) {
    const auto* value = values.record.if_contains(key.substr(kRecordPrefix.size()));
    if (!value) return std::nullopt;
    if (value->is_string()) return std::string(value->get_string());
    if (value->is_null()) return std::string();
    return boost::json::serialize(*value);
  }
  for (const auto& [name, value] : values.named) {
    if (name == key) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out.append("&amp;");
        break;
      case '<':
        out.append("&lt;");
        break;
      case '>':
        out.append("&gt;");
        break;
      case '"':
        out.append("&#34;");
        break;
      case '\'':
        out.append("&#39;");
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string render_template(std::string_view text, const TemplateValues& values,
                            TemplateContext context) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t open = text.find('{', i);
    if (open == std::string_view::npos) break;
    out.append(text.substr(i, open - i));
    const std::size_t close = text.find('}', open + 1);
    const std::size_t next_open = text.find('{', open + 1);
    if (close == std::string_view::npos || close - open - 1 > kMaxPlaceholderLength ||
        (next_open != std::string_view::npos && next_open < close)) {
      out.push_back('{');
      i = open + 1;
      continue;
    }
    const std::string_view key = text.substr(open + 1, close - open - 1);
    if (auto value = lookup(key, values)) {
      out.append(context == TemplateContext::kHtml ? escape_html(*value) : *value);
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    i = close + 1;
  }
  if (i < text.size()) out.append(text.substr(i));
  return out;
}

}  // namespace basalt::mail
