#include "basalt/http/multipart.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace basalt::http {
namespace {

constexpr std::string_view kBoundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

struct Parsed {
  std::vector<MultipartPart> parts;
  MultipartErrc error = MultipartErrc::kNone;
  std::string message;
};

// Feeds `pieces` in order, then finishes.
Parsed parse_pieces(const std::vector<std::string_view>& pieces,
                    std::string_view boundary = kBoundary, MultipartLimits limits = {}) {
  MultipartParser parser(boundary, limits);
  Parsed out;
  for (std::string_view piece : pieces) {
    parser.feed(piece);
    for (auto& part : parser.take_parts()) out.parts.push_back(std::move(part));
  }
  parser.finish();
  out.error = parser.error().code;
  out.message = parser.error().message;
  for (auto& part : parser.take_parts()) out.parts.push_back(std::move(part));
  return out;
}

Parsed parse(std::string_view body, MultipartLimits limits = {},
             std::string_view boundary = kBoundary) {
  return parse_pieces({body}, boundary, limits);
}

Parsed parse_bytewise(std::string_view body) {
  std::vector<std::string_view> pieces;
  for (std::size_t i = 0; i < body.size(); ++i) pieces.push_back(body.substr(i, 1));
  return parse_pieces(pieces);
}

void expect_same(const Parsed& expected, const Parsed& actual, const std::string& where) {
  ASSERT_EQ(expected.error, actual.error) << where;
  ASSERT_EQ(expected.parts.size(), actual.parts.size()) << where;
  for (std::size_t i = 0; i < expected.parts.size(); ++i) {
    EXPECT_EQ(expected.parts[i].name, actual.parts[i].name) << where;
    EXPECT_EQ(expected.parts[i].filename, actual.parts[i].filename) << where;
    EXPECT_EQ(expected.parts[i].content_type, actual.parts[i].content_type) << where;
    ASSERT_EQ(expected.parts[i].data, actual.parts[i].data) << where << " part " << i;
  }
}

std::string field(std::string_view name, std::string_view value) {
  return "--" + std::string(kBoundary) + "\r\nContent-Disposition: form-data; name=\"" +
         std::string(name) + "\"\r\n\r\n" + std::string(value) + "\r\n";
}

std::string close() {
  return "--" + std::string(kBoundary) + "--\r\n";
}

// A body with a preamble, padding, an empty value, CRs and near-delimiters inside the data, a
// file part and an epilogue: every state of the parser.
std::string sample() {
  std::string b(kBoundary);
  return "preamble \r\n--" + b.substr(0, 5) + " is not a delimiter\r\r\n" +  //
         "--" + b + " \t\r\n" +                                              //
         "Content-Disposition: form-data; name=\"title\"\r\n\r\n" +          //
         "hello\r\r\n\r\n-\r\n--" + b.substr(0, 10) + "\r\n--" + b.substr(0, b.size() - 1) +
         "\r\n--" + b + "\r\n" +                                 //
         "content-disposition: form-data; name=empty\r\n\r\n" +  //
         "\r\n--" + b + "\r\n" +                                 //
         "Content-Disposition: form-data; name=\"avatar+\"; filename=\"a.png\"\r\n" +
         "Content-Type: image/png\r\n\r\n" +  //
         std::string("\x89PNG\r\n\x1a\n\0\r", 11) + "\r\n--" + b + "--" + " epilogue \r\n--" + b +
         "\r\n ignored";
}

TEST(MultipartParserTest, ParsesFieldsAndFiles) {
  Parsed parsed = parse(sample());
  ASSERT_EQ(parsed.error, MultipartErrc::kNone) << parsed.message;
  ASSERT_EQ(parsed.parts.size(), 3u);
  std::string b(kBoundary);
  EXPECT_EQ(parsed.parts[0].name, "title");
  EXPECT_FALSE(parsed.parts[0].is_file());
  EXPECT_EQ(parsed.parts[0].data,
            "hello\r\r\n\r\n-\r\n--" + b.substr(0, 10) + "\r\n--" + b.substr(0, b.size() - 1));
  EXPECT_EQ(parsed.parts[1].name, "empty");
  EXPECT_EQ(parsed.parts[1].data, "");
  EXPECT_EQ(parsed.parts[1].content_type, "");
  EXPECT_EQ(parsed.parts[2].name, "avatar+");
  EXPECT_EQ(parsed.parts[2].filename, "a.png");
  EXPECT_TRUE(parsed.parts[2].is_file());
  EXPECT_EQ(parsed.parts[2].content_type, "image/png");
  EXPECT_EQ(parsed.parts[2].data, std::string("\x89PNG\r\n\x1a\n\0\r", 11));
}

TEST(MultipartParserTest, EverySplitPointGivesTheSameParts) {
  const std::string body = sample();
  const Parsed whole = parse(body);
  ASSERT_EQ(whole.error, MultipartErrc::kNone);
  expect_same(whole, parse_bytewise(body), "byte by byte");
  for (std::size_t i = 0; i <= body.size(); ++i) {
    std::string_view view(body);
    expect_same(whole, parse_pieces({view.substr(0, i), view.substr(i)}),
                "split at " + std::to_string(i));
  }
}

TEST(MultipartParserTest, EveryPairOfSplitPointsGivesTheSameParts) {
  const std::string body = field("a", "x\r\n-") + field("b", "") + close();
  const Parsed whole = parse(body);
  ASSERT_EQ(whole.error, MultipartErrc::kNone);
  std::string_view view(body);
  for (std::size_t i = 0; i <= body.size(); ++i) {
    for (std::size_t j = i; j <= body.size(); ++j) {
      expect_same(whole, parse_pieces({view.substr(0, i), view.substr(i, j - i), view.substr(j)}),
                  "split at " + std::to_string(i) + "," + std::to_string(j));
    }
  }
}

TEST(MultipartParserTest, ErrorsDoNotDependOnSplitPoints) {
  std::string b(kBoundary);
  const std::vector<std::string> bodies = {
      field("a", "1") + "--" + b + "x\r\n",
      field("a", "1") + "--" + b + "\n",
      "--" + b + "\r\nContent-Disposition: form-data; name=a\n\r\n\r\n",
      field("a", "1"),
      "--" + b + "\r\nContent-Type: text/plain\r\n\r\nx\r\n" + close(),
  };
  for (const std::string& body : bodies) {
    const Parsed whole = parse(body);
    ASSERT_NE(whole.error, MultipartErrc::kNone) << body;
    expect_same(whole, parse_bytewise(body), "byte by byte: " + body);
    std::string_view view(body);
    for (std::size_t i = 0; i <= body.size(); ++i) {
      expect_same(whole, parse_pieces({view.substr(0, i), view.substr(i)}), body);
    }
  }
}

TEST(MultipartParserTest, BodyMayStartWithoutPreamble) {
  Parsed parsed = parse("--" + std::string(kBoundary) + "--");
  EXPECT_EQ(parsed.error, MultipartErrc::kNone);
  EXPECT_TRUE(parsed.parts.empty());
  parsed = parse("\r\n" + field("a", "1") + close());
  EXPECT_EQ(parsed.error, MultipartErrc::kNone);
  ASSERT_EQ(parsed.parts.size(), 1u);
  EXPECT_EQ(parsed.parts[0].data, "1");
}

TEST(MultipartParserTest, ThousandPartsPassAndTenThousandFail) {
  std::string thousand;
  for (int i = 0; i < 1000; ++i) thousand += field("f", "v");
  Parsed ok = parse(thousand + close());
  EXPECT_EQ(ok.error, MultipartErrc::kNone);
  EXPECT_EQ(ok.parts.size(), 1000u);

  std::string many;
  for (int i = 0; i < 10000; ++i) many += field("f", "v");
  Parsed failed = parse(many + close());
  EXPECT_EQ(failed.error, MultipartErrc::kTooManyParts);
  EXPECT_EQ(failed.message, "Too many multipart parts (max 1000).");
  EXPECT_LE(failed.parts.size(), 1000u);
}

TEST(MultipartParserTest, HeaderBlockIsBounded) {
  std::string b(kBoundary);
  std::string head = "Content-Disposition: form-data; name=a\r\n";
  std::string filler_prefix = "X-Filler: ";
  // The block is head + filler line + CRLF; make it exactly the limit, then one more byte.
  std::size_t filler = 8192 - head.size() - filler_prefix.size() - 4;
  std::string exact = "--" + b + "\r\n" + head + filler_prefix + std::string(filler, 'x') +
                      "\r\n\r\nv\r\n" + close();
  EXPECT_EQ(parse(exact).error, MultipartErrc::kNone);
  std::string over = "--" + b + "\r\n" + head + filler_prefix + std::string(filler + 1, 'x') +
                     "\r\n\r\nv\r\n" + close();
  EXPECT_EQ(parse(over).error, MultipartErrc::kHeaderTooLarge);
  // An unterminated header line fails as soon as it passes the limit, not at the end.
  MultipartParser parser(kBoundary);
  EXPECT_TRUE(parser.feed("--" + b + "\r\n"));
  EXPECT_FALSE(parser.feed(std::string(9000, 'x')));
  EXPECT_EQ(parser.error().code, MultipartErrc::kHeaderTooLarge);
  // Transport padding counts too.
  EXPECT_EQ(parse("--" + b + std::string(9000, ' ') + "\r\n").error,
            MultipartErrc::kHeaderTooLarge);
}

TEST(MultipartParserTest, ValueAndFileSizesAreBounded) {
  std::string b(kBoundary);
  EXPECT_EQ(parse(field("a", std::string(1 << 20, 'v')) + close()).error, MultipartErrc::kNone);
  Parsed over = parse(field("a", std::string((1 << 20) + 1, 'v')) + close());
  EXPECT_EQ(over.error, MultipartErrc::kValueTooLarge);
  EXPECT_EQ(over.message, "A multipart form value is too large (max 1048576 bytes).");

  MultipartLimits limits;
  limits.max_file_bytes = 10;
  auto file = [&](std::string_view data) {
    return "--" + b + "\r\nContent-Disposition: form-data; name=f; filename=x.txt\r\n\r\n" +
           std::string(data) + "\r\n" + close();
  };
  EXPECT_EQ(parse(file("0123456789"), limits).error, MultipartErrc::kNone);
  EXPECT_EQ(parse(file("0123456789A"), limits).error, MultipartErrc::kFileTooLarge);
  // Bytes that looked like the start of a delimiter count once they turn out to be data.
  EXPECT_EQ(parse(file("012345678\r\n"), limits).error, MultipartErrc::kFileTooLarge);
}

TEST(MultipartParserTest, MissingFinalBoundaryIsAnError) {
  std::string b(kBoundary);
  EXPECT_EQ(parse("").error, MultipartErrc::kMissingFinalBoundary);
  EXPECT_EQ(parse("just text").error, MultipartErrc::kMissingFinalBoundary);
  EXPECT_EQ(parse(field("a", "1")).error, MultipartErrc::kMissingFinalBoundary);
  EXPECT_EQ(parse(field("a", "1") + "--" + b).error, MultipartErrc::kMissingFinalBoundary);
  EXPECT_EQ(parse(field("a", "1") + "--" + b + "-").error, MultipartErrc::kMissingFinalBoundary);
  EXPECT_EQ(parse("--" + b + "\r\nContent-Disposition: form-data; name=a\r\n").error,
            MultipartErrc::kMissingFinalBoundary);
  Parsed parsed = parse(field("a", "1"));
  EXPECT_EQ(parsed.message, "The multipart body ends before its final boundary.");
}

TEST(MultipartParserTest, RejectsLineEndingsOtherThanCrlf) {
  std::string b(kBoundary);
  // LF-only throughout: no delimiter is ever recognised after the first.
  std::string lf_only = "--" + b + "\nContent-Disposition: form-data; name=a\n\n1\n--" + b + "--\n";
  EXPECT_EQ(parse(lf_only).error, MultipartErrc::kMalformedDelimiter);
  // CRLF delimiters, LF-only header lines.
  EXPECT_EQ(parse("--" + b + "\r\nContent-Disposition: form-data; name=a\n\n1\r\n" + close()).error,
            MultipartErrc::kMalformedHeader);
  // A lone CR ending a header line.
  EXPECT_EQ(
      parse("--" + b + "\r\nContent-Disposition: form-data; name=a\r\r\n\r\n1\r\n" + close()).error,
      MultipartErrc::kMalformedHeader);
  // CR not followed by LF after a delimiter.
  EXPECT_EQ(
      parse("--" + b + "\rContent-Disposition: form-data; name=a\r\n\r\n1\r\n" + close()).error,
      MultipartErrc::kMalformedDelimiter);
  // LF-only line ends inside a part's data are data (the delimiter needs CRLF before it).
  Parsed parsed = parse(field("a", "x\n--" + b + "\ny") + close());
  ASSERT_EQ(parsed.error, MultipartErrc::kNone);
  EXPECT_EQ(parsed.parts[0].data, "x\n--" + b + "\ny");
}

TEST(MultipartParserTest, RejectsDataGluedToADelimiter) {
  std::string b(kBoundary);
  EXPECT_EQ(parse(field("a", "1") + "--" + b + "x\r\n").error, MultipartErrc::kMalformedDelimiter);
  EXPECT_EQ(parse(field("a", "1") + "--" + b + "-x").error, MultipartErrc::kMalformedDelimiter);
  EXPECT_EQ(parse(field("a", "1") + "--" + b + " x\r\n").error, MultipartErrc::kMalformedDelimiter);
  EXPECT_EQ(parse("--" + b + "-\r\n").error, MultipartErrc::kMalformedDelimiter);
  // The close delimiter ends the body: whatever follows it is epilogue.
  EXPECT_EQ(parse(field("a", "1") + "--" + b + "--garbage").error, MultipartErrc::kNone);
}

TEST(MultipartParserTest, ReadsContentDisposition) {
  std::string b(kBoundary);
  auto one = [&](std::string_view headers) {
    return parse("--" + b + "\r\n" + std::string(headers) + "\r\n\r\ndata\r\n" + close());
  };
  Parsed p = one(R"(CONTENT-DISPOSITION:form-data ;NAME = "a \"q\" b" ; FileName="C:\dir\x.txt";)");
  ASSERT_EQ(p.error, MultipartErrc::kNone) << p.message;
  EXPECT_EQ(p.parts[0].name, "a \"q\" b");
  EXPECT_EQ(p.parts[0].filename, R"(C:\dir\x.txt)");

  p = one(
      R"(Content-Disposition: Form-Data; name="a\\b"; filename*=UTF-8''%E2%82%AC%20rates.txt; filename="fallback.txt")");
  ASSERT_EQ(p.error, MultipartErrc::kNone) << p.message;
  EXPECT_EQ(p.parts[0].name, "a\\b");
  EXPECT_EQ(p.parts[0].filename, "\xE2\x82\xAC rates.txt");

  // An undecodable filename* is ignored; filename decides.
  p = one(R"(Content-Disposition: form-data; filename*=koi8-r''%E2; name=n; filename=f.txt)");
  ASSERT_EQ(p.error, MultipartErrc::kNone) << p.message;
  EXPECT_EQ(p.parts[0].filename, "f.txt");

  // An empty filename is a plain value, as in Go.
  p = one(R"(Content-Disposition: form-data; name="n"; filename="")");
  ASSERT_EQ(p.error, MultipartErrc::kNone);
  EXPECT_FALSE(p.parts[0].is_file());

  // Raw UTF-8 in a quoted string, as browsers send file names.
  p = one("Content-Disposition: form-data; name=\"caf\xC3\xA9\"; filename=\"\xC3\xA9.png\"");
  ASSERT_EQ(p.error, MultipartErrc::kNone);
  EXPECT_EQ(p.parts[0].name, "caf\xC3\xA9");
  EXPECT_EQ(p.parts[0].filename, "\xC3\xA9.png");

  // Other headers are ignored; Content-Type is trimmed.
  p =
      one("X-Other: 1\r\nContent-Type:   text/plain; charset=utf-8  \r\nContent-Disposition: "
          "form-data; name=n");
  ASSERT_EQ(p.error, MultipartErrc::kNone);
  EXPECT_EQ(p.parts[0].content_type, "text/plain; charset=utf-8");

  const std::vector<std::pair<std::string, MultipartErrc>> bad = {
      {"Content-Type: text/plain", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: attachment; name=a", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data; name=\"\"", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data; name=a; name=b", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data; name=\"a", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data; name=a[0]", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data; name", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data name=a", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data;; name=a", MultipartErrc::kBadContentDisposition},
      {"Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b",
       MultipartErrc::kMalformedHeader},
      {"Content-Type: a\r\nContent-Type: b\r\nContent-Disposition: form-data; name=b",
       MultipartErrc::kMalformedHeader},
      {"Content-Disposition: form-data;\r\n name=a", MultipartErrc::kMalformedHeader},
      {"Content-Disposition : form-data; name=a", MultipartErrc::kMalformedHeader},
      {": form-data", MultipartErrc::kMalformedHeader},
      {"no colon", MultipartErrc::kMalformedHeader},
      {std::string("Content-Disposition: form-data; name=\"a") + '\0' + "\"",
       MultipartErrc::kMalformedHeader},
  };
  for (const auto& [headers, code] : bad) EXPECT_EQ(one(headers).error, code) << headers;
  EXPECT_EQ(parse("--" + b + "\r\n\r\ndata\r\n" + close()).error,
            MultipartErrc::kBadContentDisposition);
}

// Regression (found by multipart_fuzzer): a 3-byte first header line such as "x\r\n" made
// the end-of-block check compare at offset size - 4, which wrapped around and threw.
TEST(MultipartParserTest, ShortFirstHeaderLineIsMalformedNotACrash) {
  std::string b(kBoundary);
  for (std::string_view line : {"x", "-", ":"}) {
    std::string body = "--" + b + "\r\n" + std::string(line) + "\r\n\r\nv\r\n" + close();
    EXPECT_EQ(parse(body).error, MultipartErrc::kMalformedHeader) << line;
    EXPECT_EQ(parse_bytewise(body).error, MultipartErrc::kMalformedHeader) << line;
  }
}

TEST(MultipartParserTest, StopsAtTheFirstError) {
  std::string b(kBoundary);
  MultipartParser parser(kBoundary);
  EXPECT_FALSE(parser.feed("--" + b + "x"));
  EXPECT_EQ(parser.error().code, MultipartErrc::kMalformedDelimiter);
  EXPECT_FALSE(parser.feed(field("a", "1") + close()));
  EXPECT_FALSE(parser.finish());
  EXPECT_EQ(parser.error().code, MultipartErrc::kMalformedDelimiter);
  EXPECT_TRUE(parser.take_parts().empty());
}

TEST(MultipartParserTest, InvalidBoundaryFailsAtOnce) {
  MultipartParser parser("bad\r\nboundary");
  EXPECT_EQ(parser.error().code, MultipartErrc::kInvalidBoundary);
  EXPECT_FALSE(parser.feed("anything"));
  EXPECT_FALSE(parser.finish());
}

TEST(MultipartBoundaryTest, ReadsQuotedAndTokenBoundaries) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("multipart/form-data;boundary=\"a b:c?\""), "a b:c?");
  EXPECT_EQ(multipart_boundary("multipart/form-data; charset=utf-8; BOUNDARY=\"x\"  "), "x");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=----WebKitFormBoundaryA1"),
            "----WebKitFormBoundaryA1");
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=\"" + std::string(70, 'b') + "\""),
            std::string(70, 'b'));

  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data;"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary="));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"\""));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'b')));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"ends in space \""));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"semi;colon\""));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"unterminated"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=a; boundary=b"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=a=b"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"caf\xC3\xA9\""));
}

TEST(MultipartBoundaryTest, ValidatesBchars) {
  EXPECT_TRUE(is_valid_boundary("'()+_,-./:=? x"));
  EXPECT_FALSE(is_valid_boundary(""));
  EXPECT_FALSE(is_valid_boundary("a\r"));
  EXPECT_FALSE(is_valid_boundary("a\"b"));
  EXPECT_FALSE(is_valid_boundary("a "));
}

TEST(MultipartParserTest, QuotedBoundaryWithSpacesParses) {
  std::string boundary = "a b:c";
  std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--" +
                     boundary + "--\r\n";
  Parsed parsed = parse(body, {}, *multipart_boundary("multipart/form-data; boundary=\"a b:c\""));
  ASSERT_EQ(parsed.error, MultipartErrc::kNone) << parsed.message;
  ASSERT_EQ(parsed.parts.size(), 1u);
  EXPECT_EQ(parsed.parts[0].data, "1");
}

}  // namespace
}  // namespace basalt::http
