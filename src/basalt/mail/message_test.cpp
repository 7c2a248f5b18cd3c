#include "basalt/mail/message.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace basalt::mail {
namespace {

MailMessage sample_message() {
  MailMessage m;
  m.from = {"Support", "support@acme.test"};
  m.to = {{"", "ann@example.com"}};
  m.subject = "Verify your Acme email";
  m.html = "<p>Hello</p>";
  return m;
}

// The header block (before the first empty line) of a built message.
std::string headers_of(const std::string& mime) {
  return mime.substr(0, mime.find("\r\n\r\n"));
}

TEST(MailMessage, BuildsHeadersAndTwoBase64Parts) {
  const auto date = std::chrono::system_clock::from_time_t(1796560257);  // 2026-12-06 12:30:57
  const std::string mime = build_mime(sample_message(), date);
  const std::string headers = headers_of(mime);
  EXPECT_NE(headers.find("Date: Sun, 06 Dec 2026 12:30:57 +0000\r\n"), std::string::npos);
  EXPECT_NE(headers.find("From: \"Support\" <support@acme.test>\r\n"), std::string::npos);
  EXPECT_NE(headers.find("To: <ann@example.com>\r\n"), std::string::npos);
  EXPECT_NE(headers.find("Subject: Verify your Acme email\r\n"), std::string::npos);
  EXPECT_NE(headers.find("Message-ID: <"), std::string::npos);
  EXPECT_NE(headers.find("@acme.test>\r\n"), std::string::npos);
  EXPECT_NE(headers.find("MIME-Version: 1.0"), std::string::npos);
  EXPECT_NE(mime.find("Content-Type: text/plain; charset=UTF-8"), std::string::npos);
  EXPECT_NE(mime.find("Content-Type: text/html; charset=UTF-8"), std::string::npos);
  EXPECT_NE(mime.find(base64_lines("<p>Hello</p>")), std::string::npos);
  EXPECT_NE(mime.find(base64_lines("Hello")), std::string::npos);  // the text alternative
  // Every line ends in CRLF and none is longer than RFC 5322's 78 + CRLF.
  std::size_t start = 0;
  while (start < mime.size()) {
    const std::size_t end = mime.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 78u) << mime.substr(start, end - start);
    EXPECT_EQ(mime.substr(start, end - start).find('\n'), std::string::npos);
    start = end + 2;
  }
}

TEST(MailMessage, NonAsciiSubjectAndNameAreEncodedWords) {
  MailMessage m = sample_message();
  m.subject = "V\xc3\xa9rifiez votre adresse \xe2\x80\x94 une tr\xc3\xa8s longue ligne d'objet ici";
  m.from.name = "\xc3\x89quipe";
  const std::string headers = headers_of(build_mime(m, std::chrono::system_clock::now()));
  EXPECT_NE(headers.find("From: =?UTF-8?B?w4lxdWlwZQ==?= <support@acme.test>"), std::string::npos);
  EXPECT_NE(headers.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(headers.find("?=\r\n =?UTF-8?B?"), std::string::npos);  // folded into several words
  EXPECT_EQ(encode_header_text("plain"), "plain");
  EXPECT_EQ(encode_header_text("=?x?"), "=?UTF-8?B?PT94Pw==?=");
}

TEST(MailMessage, HeaderInjectionIsImpossible) {
  MailMessage m = sample_message();
  m.subject = "Hi\r\nBcc: victim@example.com";
  m.from.name = "Evil\r\nX-Injected: 1";
  const std::string headers = headers_of(build_mime(m, std::chrono::system_clock::now()));
  EXPECT_EQ(headers.find("\r\nBcc:"), std::string::npos);
  EXPECT_EQ(headers.find("\r\nX-Injected:"), std::string::npos);
}

TEST(MailMessage, RefusesBadAddresses) {
  for (const char* bad :
       {"", "nobody", "a@", "@b", "a b@c", "a@b\r\nRCPT TO:<x@y>", "<a@b>", "a@b@c"}) {
    EXPECT_FALSE(is_mail_address(bad)) << bad;
    MailMessage m = sample_message();
    m.to = {{"", bad}};
    EXPECT_THROW(build_mime(m, std::chrono::system_clock::now()), std::invalid_argument) << bad;
  }
  EXPECT_TRUE(is_mail_address("first.last+tag@sub.example.com"));
  MailMessage none = sample_message();
  none.to.clear();
  EXPECT_THROW(build_mime(none, std::chrono::system_clock::now()), std::invalid_argument);
}

TEST(MailMessage, Base64LinesMatchRfc4648Vectors) {
  EXPECT_EQ(base64_lines(""), "");
  EXPECT_EQ(base64_lines("f"), "Zg==\r\n");
  EXPECT_EQ(base64_lines("fo"), "Zm8=\r\n");
  EXPECT_EQ(base64_lines("foobar"), "Zm9vYmFy\r\n");
  EXPECT_EQ(base64_lines(std::string(60, 'a')).find("\r\n"), 76u);
}

}  // namespace
}  // namespace basalt::mail
