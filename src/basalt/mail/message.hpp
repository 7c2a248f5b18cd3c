// A mail as Basalt sends it, and its MIME form (RFC 5322 headers, RFC 2045-2047 bodies and
// encoded words), built here so the SMTP transport only moves bytes.
//
// The MIME form is multipart/alternative: a text/plain part (the text given, or one made from the
// HTML) then the text/html part, both UTF-8 in base64 (lines of 76), so no body line can be
// mistaken for SMTP's end of data and no byte needs escaping. Header values (names, subject)
// are RFC 2047 encoded words when they are not plain printable ASCII; CR and LF never reach a
// header (header injection): they become spaces. Addresses are checked by is_mail_address().
//
// Thread safety: free functions over values; safe from any thread.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::mail {

struct Address {
  std::string name;     // display name, may be empty, any UTF-8
  std::string address;  // local@domain
};

struct MailMessage {
  Address from;
  std::vector<Address> to;
  std::string subject;
  std::string html;
  std::string text;  // empty: made from `html` (html_text.hpp)
};

// A bare address a header and an SMTP envelope can carry: one '@' with text on both sides, at
// most 254 bytes, no spaces, control characters, quotes, angle brackets, commas or semicolons.
bool is_mail_address(std::string_view address);

// `Name <address>` with the name quoted or encoded as needed; `<address>` alone without a name.
std::string format_address(const Address& address);

// An RFC 2047 "B" encoded-word sequence for non-ASCII or control text, each word at most 75
// characters and never splitting a UTF-8 sequence; printable ASCII comes back as is.
std::string encode_header_text(std::string_view text);

// Base64 of `bytes` in lines of 76 characters, each ended by CRLF.
std::string base64_lines(std::string_view bytes);

// The whole message, CRLF line ends: Date (from `date`, UTC), Message-ID (random, under the
// sender's domain), From, To, Subject, MIME-Version, then the two parts. Throws
// std::invalid_argument when the sender or a recipient is not is_mail_address() or there is no
// recipient.
std::string build_mime(const MailMessage& message, std::chrono::system_clock::time_point date);

// The RFC 5322 date of `time` in UTC, e.g. "Sun, 06 Dec 2026 12:30:57 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point time);

}  // namespace basalt::mail
