#include "scenario_text.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace basalt::scenarios {
namespace {

bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

std::string encode_parameter(std::string_view parameter) {
  const std::size_t equals = parameter.find('=');
  if (equals == std::string_view::npos) return percent_encode(parameter);
  return percent_encode(parameter.substr(0, equals)) + "=" +
         percent_encode(parameter.substr(equals + 1));
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

std::string_view next_word(std::string_view& text) {
  text = trim(text);
  const std::size_t end = std::min(text.find(' '), text.size());
  std::string_view word = text.substr(0, end);
  text = trim(text.substr(end));
  return word;
}

std::string substitute(std::string_view text, const Variables& variables) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 >= text.size() || !name_char(text[i + 1])) {
      out += text[i++];
      continue;
    }
    std::size_t end = i + 1;
    while (end < text.size() && name_char(text[end])) ++end;
    const std::string_view name = text.substr(i + 1, end - i - 1);
    auto found = variables.find(name);
    if (found == variables.end())
      throw std::runtime_error("unknown variable $" + std::string(name));
    out += found->second;
    i = end;
  }
  return out;
}

std::string encode_target(std::string_view target) {
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, question + 1));
  std::string_view query = target.substr(question + 1);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= query.size(); ++i) {
    const bool lone_ampersand = i < query.size() && query[i] == '&' &&
                                (i == 0 || query[i - 1] != '&') &&
                                (i + 1 == query.size() || query[i + 1] != '&');
    if (i < query.size() && !lone_ampersand) continue;
    if (start > 0) out += '&';
    out += encode_parameter(query.substr(start, i - start));
    start = i + 1;
  }
  return out;
}

const boost::json::value* find_path(const boost::json::value& root, std::string_view path) {
  if (path == "json") return &root;
  if (path.substr(0, 5) == "json.") path.remove_prefix(5);
  const boost::json::value* current = &root;
  while (current && !path.empty()) {
    const std::size_t dot = std::min(path.find('.'), path.size());
    const std::string_view step = path.substr(0, dot);
    path.remove_prefix(std::min(dot + 1, path.size()));
    if (const auto* object = current->if_object()) {
      current = object->if_contains(step);
    } else if (const auto* array = current->if_array()) {
      std::size_t index = 0;
      auto [end, error] = std::from_chars(step.data(), step.data() + step.size(), index);
      const bool valid = error == std::errc() && end == step.data() + step.size();
      current = valid && index < array->size() ? &(*array)[index] : nullptr;
    } else {
      current = nullptr;
    }
  }
  return current;
}

}  // namespace basalt::scenarios
