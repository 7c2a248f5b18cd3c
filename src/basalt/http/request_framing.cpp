#include "basalt/http/request_framing.hpp"

#include <boost/asio/ip/address_v6.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <string>

namespace basalt::http {
namespace {

namespace beast_http = boost::beast::http;

bool is_alpha_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_digits(std::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// RFC 3986 reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4address is a subset.
bool is_reg_name(std::string_view name) {
  constexpr std::string_view kUnreservedMarks = "-._~";
  constexpr std::string_view kSubDelims = "!$&'()*+,;=";
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '%') {
      if (i + 2 >= name.size() || !is_hex_digit(name[i + 1]) || !is_hex_digit(name[i + 2])) {
        return false;
      }
      i += 2;
      continue;
    }
    if (!is_alpha_digit(c) && kUnreservedMarks.find(c) == std::string_view::npos &&
        kSubDelims.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// The inside of "[...]": an IPv6 address without a zone id.
bool is_ipv6_literal(std::string_view inside) {
  for (char c : inside) {
    if (!is_hex_digit(c) && c != ':' && c != '.') return false;  // no '%' zone, no IPvFuture
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address_v6(std::string(inside), ec);
  return !ec;
}

// Transfer-Encoding is acceptable only as one field whose whole value is `chunked`.
std::optional<std::string_view> transfer_encoding_problem(
    const beast_http::request_header<>& header) {
  const std::size_t codings = header.count(beast_http::field::transfer_encoding);
  if (codings == 0) return std::nullopt;
  if (header.count(beast_http::field::content_length) > 0) {
    return "Transfer-Encoding and Content-Length cannot be used together.";
  }
  if (header.version() < 11) return "Transfer-Encoding is not allowed in HTTP/1.0 requests.";
  if (codings > 1 ||
      !boost::beast::iequals(header[beast_http::field::transfer_encoding], "chunked")) {
    return "Unsupported Transfer-Encoding: only a single \"chunked\" coding is accepted.";
  }
  return std::nullopt;
}

std::optional<std::string_view> host_problem(const beast_http::request_header<>& header) {
  const std::size_t hosts = header.count(beast_http::field::host);
  if (hosts == 0) {
    if (header.version() >= 11) return "Missing Host header.";
    return std::nullopt;
  }
  if (hosts > 1) return "Too many Host headers.";
  if (!is_valid_host(header[beast_http::field::host])) return "Malformed Host header.";
  return std::nullopt;
}

}  // namespace

bool is_valid_host(std::string_view value) {
  std::string_view port;
  if (value.starts_with('[')) {
    std::size_t close = value.find(']');
    if (close == std::string_view::npos || !is_ipv6_literal(value.substr(1, close - 1))) {
      return false;
    }
    std::string_view rest = value.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return false;
    port = rest.empty() ? rest : rest.substr(1);
  } else {
    std::size_t colon = value.find(':');  // a reg-name has no ':'
    if (!is_reg_name(value.substr(0, colon))) return false;
    if (colon != std::string_view::npos) port = value.substr(colon + 1);
  }
  return is_digits(port);
}

bool has_obs_fold(std::string_view header_block) {
  for (std::size_t at = header_block.find("\r\n"); at != std::string_view::npos;
       at = header_block.find("\r\n", at + 2)) {
    if (at + 2 < header_block.size() &&
        (header_block[at + 2] == ' ' || header_block[at + 2] == '\t')) {
      return true;
    }
  }
  return false;
}

std::optional<std::string_view> framing_problem(std::string_view header_block,
                                                const beast_http::request_header<>& header) {
  if (has_obs_fold(header_block)) return "Obsolete line folding in headers is not allowed.";
  if (auto problem = transfer_encoding_problem(header)) return problem;
  return host_problem(header);
}

}  // namespace basalt::http
