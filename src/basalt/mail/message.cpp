#include "basalt/mail/message.hpp"

#include <array>
#include <ctime>
#include <random>
#include <stdexcept>

#include "basalt/mail/html_text.hpp"

namespace basalt::mail {
namespace {

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Unpredictable enough for Message-IDs and boundaries (neither is a secret); one engine per
// thread, so no locking.
std::string random_hex(std::size_t length) {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  constexpr std::string_view digits = "0123456789abcdef";
  std::string out;
  out.reserve(length);
  for (std::size_t i = 0; i < length; ++i) out.push_back(digits[engine() % 16]);
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(kBase64Alphabet[(n >> 6) & 63]);
    out.push_back(kBase64Alphabet[n & 63]);
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out.push_back(kBase64Alphabet[(n >> 18) & 63]);
    out.push_back(kBase64Alphabet[(n >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool plain_header_text(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return false;
  }
  // "=?" could be read as the start of an encoded word.
  return text.find("=?") == std::string_view::npos;
}

// Length of the UTF-8 sequence starting with `lead` (1 for a stray byte, which is then kept
// alone: never split, never grown).
std::size_t utf8_length(unsigned char lead) {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc2) return 2;
  return 1;
}

std::string one_line(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return out;
}

void require_address(std::string_view address, std::string_view role) {
  if (!is_mail_address(address)) {
    throw std::invalid_argument(std::string(role) + " is not a valid mail address");
  }
}

void append_part(std::string& out, std::string_view boundary, std::string_view type,
                 std::string_view body) {
  out.append("--").append(boundary).append("\r\n");
  out.append("Content-Type: ").append(type).append("; charset=UTF-8\r\n");
  out.append("Content-Transfer-Encoding: base64\r\n\r\n");
  out.append(base64_lines(body));
}

}  // namespace

bool is_mail_address(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  const auto at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  for (char c : address) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
    if (std::string_view("\"<>(),;:\\[]").find(c) != std::string_view::npos) return false;
  }
  return true;
}

std::string encode_header_text(std::string_view text) {
  const std::string line = one_line(text);
  if (plain_header_text(line)) return line;
  // Each word carries at most 45 bytes: 60 base64 characters + "=?UTF-8?B?" + "?=" = 72.
  constexpr std::size_t kWordBytes = 45;
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    std::size_t end = i;
    while (end < line.size()) {
      const std::size_t n = utf8_length(static_cast<unsigned char>(line[end]));
      if (end + n - i > kWordBytes) break;
      end += std::min(n, line.size() - end);
    }
    if (!out.empty()) out.append("\r\n ");
    out.append("=?UTF-8?B?").append(base64(std::string_view(line).substr(i, end - i))).append("?=");
    i = end;
  }
  return out;
}

std::string format_address(const Address& address) {
  const std::string bracketed = "<" + address.address + ">";
  if (address.name.empty()) return bracketed;
  const std::string name = one_line(address.name);
  if (!plain_header_text(name)) return encode_header_text(name) + " " + bracketed;
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') quoted.push_back('\\');
    quoted.push_back(c);
  }
  return quoted + "\" " + bracketed;
}

std::string base64_lines(std::string_view bytes) {
  const std::string encoded = base64(bytes);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / 76 * 2 + 2);
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    out.append(encoded, i, 76).append("\r\n");
  }
  return out;
}

std::string rfc5322_date(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  std::array<char, 64> buffer{};
  const std::size_t n =
      std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return std::string(buffer.data(), n);
}

std::string build_mime(const MailMessage& message, std::chrono::system_clock::time_point date) {
  require_address(message.from.address, "the sender");
  if (message.to.empty()) throw std::invalid_argument("a mail needs a recipient");
  for (const auto& to : message.to) require_address(to.address, "a recipient");

  const std::string domain = message.from.address.substr(message.from.address.find('@') + 1);
  // "=_" cannot occur in base64 text, so no body line can look like the boundary.
  const std::string boundary = "=_basalt_" + random_hex(24);
  const std::string text = message.text.empty() ? html_to_text(message.html) : message.text;

  std::string out;
  out.append("Date: ").append(rfc5322_date(date)).append("\r\n");
  out.append("Message-ID: <").append(random_hex(32)).append("@").append(domain).append(">\r\n");
  out.append("From: ").append(format_address(message.from)).append("\r\n");
  out.append("To: ");
  for (std::size_t i = 0; i < message.to.size(); ++i) {
    if (i > 0) out.append(",\r\n ");
    out.append(format_address(message.to[i]));
  }
  out.append("\r\n");
  out.append("Subject: ").append(encode_header_text(message.subject)).append("\r\n");
  out.append("MIME-Version: 1.0\r\n");
  out.append("Content-Type: multipart/alternative;\r\n boundary=\"")
      .append(boundary)
      .append("\"\r\n");
  out.append("\r\n");
  append_part(out, boundary, "text/plain", text);
  append_part(out, boundary, "text/html", message.html);
  out.append("--").append(boundary).append("--\r\n");
  return out;
}

}  // namespace basalt::mail
