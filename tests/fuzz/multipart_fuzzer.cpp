// libFuzzer target for request body decoding (docs/architecture.md): http::decode_form_body and the
// streaming http::MultipartParser under it.
//
// Input: the first line (up to the first '\n') is the Content-Type header, the rest is the
// body, so the fuzzer explores media types, boundaries and bodies together. Small limits make
// every limit reachable with short inputs.
//
// Checked on every input:
//  1. decode_form_body returns or throws core::ApiError 400 with a non-empty message; nothing
//     else escapes. What it returns serializes to JSON that parses (so every string in it is
//     valid UTF-8), and every file has a field, a file name and data within the limit.
//  2. When the Content-Type carries a valid boundary, the raw parser gives the same parts and
//     the same error whether the body is fed whole, in random chunk sizes (seeded from the
//     input, with take_parts() at random points) or one byte at a time; every part respects
//     the limits; and its outcome agrees with decode_form_body's for a multipart media type.
//  3. Parts of a body that parses, written back as a multipart body (names quoted, file
//     names as filename*), parse to the same parts.
#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/core/api_error.hpp"
#include "basalt/http/form_body.hpp"
#include "basalt/http/multipart.hpp"

namespace {

using namespace basalt::http;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "invariant violated: %s\n", what);
  std::abort();
}

void require(bool condition, const char* what) {
  if (!condition) violated(what);
}

FormLimits fuzz_limits() {
  FormLimits limits;
  limits.multipart.max_parts = 8;
  limits.multipart.max_header_bytes = 256;
  limits.multipart.max_value_bytes = 64;
  limits.multipart.max_file_bytes = 128;
  limits.max_json_payload_bytes = 96;
  limits.max_urlencoded_fields = 16;
  limits.max_json_depth = 8;
  return limits;
}

// splitmix64: chunk sizes must be a function of the input (libFuzzer needs determinism).
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (char c : bytes) hash = (hash ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return hash;
}

struct Outcome {
  std::vector<MultipartPart> parts;
  MultipartError error;
};

void collect(MultipartParser& parser, Outcome& out) {
  for (MultipartPart& part : parser.take_parts()) out.parts.push_back(std::move(part));
}

Outcome parse_whole(std::string_view boundary, std::string_view body,
                    const MultipartLimits& limits) {
  MultipartParser parser(boundary, limits);
  Outcome out;
  parser.feed(body);
  parser.finish();
  collect(parser, out);
  out.error = parser.error();
  return out;
}

Outcome parse_chunked(std::string_view boundary, std::string_view body,
                      const MultipartLimits& limits, Random& random, bool bytewise) {
  MultipartParser parser(boundary, limits);
  Outcome out;
  while (!body.empty()) {
    std::size_t size = 1;
    if (!bytewise) {
      // Mostly tiny chunks (they split delimiters and headers), sometimes large ones.
      std::uint64_t r = random.next();
      size = (r & 7) == 0 ? 1 + (r >> 8) % 4096 : 1 + (r >> 8) % 16;
    }
    size = std::min(size, body.size());
    parser.feed(body.substr(0, size));
    body.remove_prefix(size);
    if (random.next() & 1) collect(parser, out);
  }
  parser.finish();
  collect(parser, out);
  out.error = parser.error();
  return out;
}

void require_same(const Outcome& a, const Outcome& b, const char* what) {
  require(a.error.code == b.error.code, what);
  require(a.error.message == b.error.message, what);
  require(a.parts.size() == b.parts.size(), what);
  for (std::size_t i = 0; i < a.parts.size(); ++i) {
    require(a.parts[i].name == b.parts[i].name, what);
    require(a.parts[i].filename == b.parts[i].filename, what);
    require(a.parts[i].content_type == b.parts[i].content_type, what);
    require(a.parts[i].data == b.parts[i].data, what);
  }
}

void check_limits(const Outcome& outcome, const MultipartLimits& limits) {
  require(static_cast<bool>(outcome.error) == !outcome.error.message.empty(),
          "an error has a message, success has none");
  require(outcome.parts.size() <= limits.max_parts, "part limit");
  for (const MultipartPart& part : outcome.parts) {
    require(!part.name.empty(), "parts have names");
    require(part.data.size() <= (part.is_file() ? limits.max_file_bytes : limits.max_value_bytes),
            "part size limit");
  }
}

// Writes `parts` back as a body: names quoted with escapes, file names as RFC 5987 values.
std::string encode(const std::vector<MultipartPart>& parts, std::string_view boundary) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string body;
  for (const MultipartPart& part : parts) {
    body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"");
    for (char c : part.name) {
      if (c == '"' || c == '\\') body.push_back('\\');
      body.push_back(c);
    }
    body.push_back('"');
    if (part.is_file()) {
      body.append("; filename*=UTF-8''");
      for (char c : part.filename) {
        auto u = static_cast<unsigned char>(c);
        body.push_back('%');
        body.push_back(kHex[u >> 4]);
        body.push_back(kHex[u & 15]);
      }
    }
    body.append("\r\n");
    if (!part.content_type.empty()) body.append("Content-Type: ").append(part.content_type);
    if (!part.content_type.empty()) body.append("\r\n");
    body.append("\r\n").append(part.data).append("\r\n");
  }
  body.append("--").append(boundary).append("--\r\n");
  return body;
}

void fuzz_parser(std::string_view boundary, std::string_view body, const FormLimits& limits,
                 bool decoded, std::size_t decoded_files, bool multipart_type) {
  // The limits decode_form_body gives its parser (form_body.cpp): value parts may reach the
  // @jsonPayload limit there, plain values are checked after parsing.
  MultipartLimits parser_limits = limits.multipart;
  parser_limits.max_value_bytes =
      std::max(limits.multipart.max_value_bytes, limits.max_json_payload_bytes);
  Outcome whole = parse_whole(boundary, body, parser_limits);
  check_limits(whole, parser_limits);
  Random random{fnv1a(body)};
  require_same(whole, parse_chunked(boundary, body, parser_limits, random, false),
               "random chunks change the result");
  if (body.size() <= 2048) {
    require_same(whole, parse_chunked(boundary, body, parser_limits, random, true),
                 "byte-by-byte feeding changes the result");
  }
  if (multipart_type) {
    require(!whole.error || !decoded, "decode_form_body accepts what the parser rejects");
    if (decoded) {
      std::size_t files = 0;
      for (const MultipartPart& part : whole.parts) files += part.is_file() ? 1 : 0;
      require(files == decoded_files, "decode_form_body returns every file part");
    }
  }
  if (!whole.error) {
    MultipartLimits roomy = parser_limits;
    roomy.max_header_bytes = 64 * 1024;
    Outcome again = parse_whole(boundary, encode(whole.parts, boundary), roomy);
    require(!again.error, "re-encoded parts parse");
    require_same(whole, again, "re-encoded parts parse to the same parts");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::size_t newline = input.find('\n');
  std::string_view content_type = newline == std::string_view::npos ? "" : input.substr(0, newline);
  std::string_view body = newline == std::string_view::npos ? input : input.substr(newline + 1);
  const FormLimits limits = fuzz_limits();

  bool decoded = false;
  std::size_t decoded_files = 0;
  try {
    FormBody form = decode_form_body(content_type, body, limits);
    decoded = true;
    decoded_files = form.files.size();
    std::string text = boost::json::serialize(form.data);
    boost::system::error_code ec;
    boost::json::parse(text, ec);  // validates UTF-8 too
    require(!ec, "decoded data serializes to valid JSON");
    for (const UploadedFile& file : form.files) {
      require(!file.field.empty() && !file.filename.empty(), "files have a field and a name");
      require(file.data.size() <= limits.multipart.max_file_bytes, "file size limit");
    }
  } catch (const basalt::core::ApiError& error) {
    require(error.status() == 400, "errors are 400s");
    require(!error.message().empty(), "errors have a message");
  }

  if (std::optional<std::string> boundary = multipart_boundary(content_type)) {
    std::string_view type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    std::string lower(type);
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    bool multipart_type = lower == "multipart/form-data" && !body.empty();
    fuzz_parser(*boundary, body, limits, decoded, decoded_files, multipart_type);
  }
  return 0;
}
