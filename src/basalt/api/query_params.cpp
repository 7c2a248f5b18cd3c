#include "basalt/api/query_params.hpp"

#include <boost/url/decode_view.hpp>
#include <boost/url/pct_string_view.hpp>
#include <charconv>

#include "basalt/core/api_error.hpp"

namespace basalt::api {
std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string raw(text);
  if (plus_is_space) {
    for (auto& c : raw) {
      if (c == '+') c = ' ';
    }
  }
  auto checked = boost::urls::make_pct_string_view(raw);
  if (!checked) return raw;
  boost::urls::decode_view decoded = **checked;
  return std::string(decoded.begin(), decoded.end());
}

QueryParams query_params(const http::Request& request) {
  return parse_query(request.query());
}

QueryParams parse_query(std::string_view raw) {
  QueryParams params;
  std::string_view rest = raw;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string name = percent_decode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
    params.emplace(std::move(name), std::move(value));  // the first value wins
  }
  return params;
}

std::string param_or(const QueryParams& params, std::string_view name, std::string fallback) {
  auto it = params.find(name);
  return it == params.end() ? fallback : it->second;
}

std::int64_t int_param(const QueryParams& params, std::string_view name, std::int64_t fallback) {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty()) return fallback;
  const std::string& text = it->second;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) throw core::ApiError::bad_request();
  return value;
}

bool bool_param(const QueryParams& params, std::string_view name) {
  auto it = params.find(name);
  if (it == params.end()) return false;
  const std::string& text = it->second;
  return text == "1" || text == "t" || text == "T" || text == "true" || text == "TRUE" ||
         text == "True";
}

}  // namespace basalt::api
