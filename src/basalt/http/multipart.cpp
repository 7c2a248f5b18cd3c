#include "basalt/http/multipart.hpp"

#include <cstring>
#include <utility>

#include "basalt/http/ascii.hpp"

namespace basalt::http {
namespace {

constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";

bool is_tspecial(char c) noexcept {
  return kTspecials.find(c) != std::string_view::npos;
}

// A MIME token byte (RFC 2045 §5.1): printable ASCII except space and tspecials.
bool is_token_char(char c) noexcept {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && !is_tspecial(c);
}

bool is_ows(char c) noexcept {
  return c == ' ' || c == '\t';
}

void skip_ows(std::string_view& s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
}

std::string_view trim_ows(std::string_view s) noexcept {
  skip_ows(s);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool consume_token(std::string_view& s, std::string& out) {
  std::size_t n = 0;
  while (n < s.size() && is_token_char(s[n])) ++n;
  if (n == 0) return false;
  out.assign(s.substr(0, n));
  s.remove_prefix(n);
  return true;
}

// `s` starts at the opening quote. See multipart.hpp rule 5 for the escapes.
bool consume_quoted(std::string_view& s, std::string& out) {
  out.clear();
  for (std::size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      s.remove_prefix(i + 1);
      return true;
    }
    if (c == '\\' && i + 1 < s.size() && is_tspecial(s[i + 1])) c = s[++i];
    out.push_back(c);
  }
  return false;  // no closing quote
}

struct Param {
  std::string name;  // lower case
  std::string value;
};

// Parses `*( OWS ";" OWS name OWS "=" OWS ( token / quoted-string ) ) [ OWS ";" ] OWS`, the
// part of a header value after its type. False on a syntax error or a repeated name.
bool parse_params(std::string_view rest, std::vector<Param>& out) {
  while (true) {
    skip_ows(rest);
    if (rest.empty()) return true;
    if (rest.front() != ';') return false;
    rest.remove_prefix(1);
    skip_ows(rest);
    if (rest.empty()) return true;  // a trailing ';' is tolerated, as Go does
    Param param;
    if (!consume_token(rest, param.name)) return false;
    for (char& c : param.name) c = ascii_lower(c);
    skip_ows(rest);
    if (rest.empty() || rest.front() != '=') return false;
    rest.remove_prefix(1);
    skip_ows(rest);
    if (rest.empty()) return false;
    bool ok =
        rest.front() == '"' ? consume_quoted(rest, param.value) : consume_token(rest, param.value);
    if (!ok) return false;
    for (const Param& seen : out) {
      if (seen.name == param.name) return false;
    }
    out.push_back(std::move(param));
  }
}

// RFC 5987 ext-value `charset'language'pct-encoded`, for the charsets a client may use for a
// file name. nullopt for any other charset or a bad escape: the parameter is then ignored.
std::optional<std::string> decode_ext_value(std::string_view text) {
  std::size_t first = text.find('\'');
  if (first == std::string_view::npos) return std::nullopt;
  std::size_t second = text.find('\'', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::string_view charset = text.substr(0, first);
  if (!iequals(charset, "utf-8") && !iequals(charset, "us-ascii")) return std::nullopt;
  std::string out;
  for (std::size_t i = second + 1; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

constexpr std::string_view kFormData = "form-data";

}  // namespace

bool is_valid_boundary(std::string_view boundary) noexcept {
  if (boundary.empty() || boundary.size() > kMaxBoundaryLength || boundary.back() == ' ') {
    return false;
  }
  constexpr std::string_view kPunctuation = "'()+_,-./:=? ";
  for (char c : boundary) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && kPunctuation.find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  std::size_t semicolon = content_type.find(';');
  if (semicolon == std::string_view::npos) return std::nullopt;
  std::vector<Param> params;
  if (!parse_params(content_type.substr(semicolon), params)) return std::nullopt;
  for (Param& param : params) {
    if (param.name == "boundary") {
      if (!is_valid_boundary(param.value)) return std::nullopt;
      return std::move(param.value);
    }
  }
  return std::nullopt;
}

MultipartParser::MultipartParser(std::string_view boundary, MultipartLimits limits)
    : limits_(limits) {
  if (!is_valid_boundary(boundary)) {
    fail(MultipartErrc::kInvalidBoundary, "Invalid multipart boundary.");
    return;
  }
  delimiter_.reserve(4 + boundary.size());
  delimiter_.append("\r\n--").append(boundary);
  // The first delimiter may open the body without a CRLF: act as if one preceded it.
  match_ = 2;
}

bool MultipartParser::feed(std::string_view chunk) {
  while (!chunk.empty()) {
    std::size_t used = 0;
    switch (state_) {
      case State::kPreamble:
        used = scan_for_delimiter(chunk, false);
        break;
      case State::kBody:
        used = scan_for_delimiter(chunk, true);
        break;
      case State::kAfterDelimiter:
      case State::kPadding:
      case State::kDelimiterCr:
      case State::kCloseDash:
        used = consume_delimiter_line(chunk);
        break;
      case State::kHeaders:
        used = consume_headers(chunk);
        break;
      case State::kEpilogue:
      case State::kFinished:
        return true;
      case State::kFailed:
        return false;
    }
    chunk.remove_prefix(used);
  }
  return state_ != State::kFailed;
}

bool MultipartParser::finish() {
  switch (state_) {
    case State::kEpilogue:
    case State::kFinished:
      state_ = State::kFinished;
      return true;
    case State::kFailed:
      return false;
    default:
      fail(MultipartErrc::kMissingFinalBoundary,
           "The multipart body ends before its final boundary.");
      return false;
  }
}

std::size_t MultipartParser::scan_for_delimiter(std::string_view input, bool keep_data) {
  std::size_t i = 0;
  while (i < input.size()) {
    if (match_ == 0) {
      // Only a CR can start a delimiter: take everything before the next one in one step.
      const void* cr = std::memchr(input.data() + i, '\r', input.size() - i);
      std::size_t stop =
          cr ? static_cast<std::size_t>(static_cast<const char*>(cr) - input.data()) : input.size();
      if (keep_data && !append_data(input.substr(i, stop - i))) return input.size();
      i = stop;
      if (i == input.size()) break;
      match_ = 1;
      ++i;
      continue;
    }
    if (input[i] == delimiter_[match_]) {
      ++i;
      if (++match_ < delimiter_.size()) continue;
      match_ = 0;
      padding_ = 0;
      if (keep_data) {
        if (sink_ && current_.is_file() && !sink_call([&] { sink_->close(); })) return input.size();
        parts_.push_back(std::move(current_));
        current_ = MultipartPart{};
      }
      state_ = State::kAfterDelimiter;
      return i;
    }
    // A partial match broken by input[i]. The delimiter holds a CR only at its start, so no
    // other match can begin inside the matched bytes: they are data, and input[i] is looked at
    // again with nothing matched.
    if (keep_data && !append_data(std::string_view(delimiter_).substr(0, match_))) {
      return input.size();
    }
    match_ = 0;
  }
  return i;
}

std::size_t MultipartParser::consume_delimiter_line(std::string_view input) {
  std::size_t i = 0;
  while (i < input.size()) {
    char c = input[i++];
    switch (state_) {
      case State::kAfterDelimiter:
      case State::kPadding:
        if (c == '-' && state_ == State::kAfterDelimiter) {
          state_ = State::kCloseDash;
        } else if (is_ows(c)) {
          state_ = State::kPadding;
          if (++padding_ > limits_.max_header_bytes) {
            fail(MultipartErrc::kHeaderTooLarge, "A multipart boundary line is too long.");
            return i;
          }
        } else if (c == '\r') {
          state_ = State::kDelimiterCr;
        } else if (c == '\n') {
          fail(MultipartErrc::kMalformedDelimiter,
               "Malformed multipart body: a boundary line must end with CRLF.");
          return i;
        } else {
          fail(MultipartErrc::kMalformedDelimiter,
               "Malformed multipart body: unexpected data after a boundary.");
          return i;
        }
        break;
      case State::kDelimiterCr:
        if (c != '\n') {
          fail(MultipartErrc::kMalformedDelimiter,
               "Malformed multipart body: a boundary line must end with CRLF.");
          return i;
        }
        start_headers();
        return i;
      case State::kCloseDash:
        if (c != '-') {
          fail(MultipartErrc::kMalformedDelimiter,
               "Malformed multipart body: unexpected data after a boundary.");
          return i;
        }
        state_ = State::kEpilogue;
        return i;
      default:
        return i - 1;  // unreachable: feed() only calls this in the four states above
    }
  }
  return i;
}

void MultipartParser::start_headers() {
  if (parts_seen_ >= limits_.max_parts) {
    fail(MultipartErrc::kTooManyParts,
         "Too many multipart parts (max " + std::to_string(limits_.max_parts) + ").");
    return;
  }
  ++parts_seen_;
  header_block_.clear();
  current_ = MultipartPart{};
  state_ = State::kHeaders;
}

std::size_t MultipartParser::consume_headers(std::string_view input) {
  std::size_t i = 0;
  while (i < input.size()) {
    const void* lf = std::memchr(input.data() + i, '\n', input.size() - i);
    std::size_t stop =
        lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - input.data()) + 1
           : input.size();
    if (padding_ + header_block_.size() + (stop - i) > limits_.max_header_bytes) {
      fail(MultipartErrc::kHeaderTooLarge, "A multipart part's headers are too large (max " +
                                               std::to_string(limits_.max_header_bytes) +
                                               " bytes).");
      return input.size();
    }
    header_block_.append(input.data() + i, stop - i);
    i = stop;
    if (!lf) break;
    std::size_t size = header_block_.size();
    if (size < 2 || header_block_[size - 2] != '\r') {
      fail(MultipartErrc::kMalformedHeader,
           "Malformed multipart part headers: lines must end with CRLF.");
      return i;
    }
    if (size == 2 || (size >= 4 && header_block_.compare(size - 4, 4, "\r\n\r\n") == 0)) {
      parse_headers();
      return i;
    }
  }
  return i;
}

void MultipartParser::parse_headers() {
  // The block is "*( line CRLF ) CRLF"; drop the final CRLF so every line ends in one.
  std::string_view block(header_block_);
  block.remove_suffix(2);
  // Every line is checked before the disposition is read, so a broken block is reported as
  // such whatever the order of its lines.
  std::optional<std::string_view> disposition;
  bool seen_type = false;
  while (!block.empty()) {
    // consume_headers() only ends a block on CRLF CRLF, so every line is non-empty and ends
    // in CRLF; a lone CR inside a line is caught by the control-character check below.
    std::size_t end = block.find("\r\n");
    if (end == 0 || end == std::string_view::npos) {
      fail(MultipartErrc::kMalformedHeader, "Malformed multipart part headers.");
      return;
    }
    std::string_view line = block.substr(0, end);
    block.remove_prefix(end + 2);
    if (is_ows(line.front())) {
      fail(MultipartErrc::kMalformedHeader,
           "Malformed multipart part headers: folded header lines are not supported.");
      return;
    }
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) {
        fail(MultipartErrc::kMalformedHeader,
             "Malformed multipart part headers: control character in a header line.");
        return;
      }
    }
    std::size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon);
    bool valid_name = colon != std::string_view::npos && colon > 0;
    for (char c : name) valid_name = valid_name && is_token_char(c);
    if (!valid_name) {
      fail(MultipartErrc::kMalformedHeader,
           "Malformed multipart part headers: a line is not `Name: value`.");
      return;
    }
    std::string_view value = trim_ows(line.substr(colon + 1));
    if (iequals(name, "content-disposition")) {
      if (disposition) {
        fail(MultipartErrc::kMalformedHeader,
             "Malformed multipart part headers: repeated Content-Disposition.");
        return;
      }
      disposition = value;
    } else if (iequals(name, "content-type")) {
      if (seen_type) {
        fail(MultipartErrc::kMalformedHeader,
             "Malformed multipart part headers: repeated Content-Type.");
        return;
      }
      seen_type = true;
      current_.content_type.assign(value);
    }
  }
  if (!disposition) {
    fail(MultipartErrc::kBadContentDisposition,
         "A multipart part has no Content-Disposition header.");
    return;
  }
  if (!parse_disposition(*disposition)) return;
  state_ = State::kBody;
  match_ = 0;
  if (sink_ && current_.is_file()) sink_call([&] { sink_->open(current_); });
}

bool MultipartParser::parse_disposition(std::string_view value) {
  std::size_t semicolon = value.find(';');
  std::vector<Param> params;
  bool ok = iequals(trim_ows(value.substr(0, semicolon)), kFormData) &&
            (semicolon == std::string_view::npos || parse_params(value.substr(semicolon), params));
  if (!ok) {
    fail(MultipartErrc::kBadContentDisposition,
         "A multipart part has an invalid Content-Disposition (expected form-data with a name).");
    return false;
  }
  for (Param& param : params) {
    if (param.name == "name") {
      current_.name = std::move(param.value);
    } else if (param.name == "filename") {
      if (current_.filename.empty()) current_.filename = std::move(param.value);
    } else if (param.name == "filename*") {
      if (auto decoded = decode_ext_value(param.value)) current_.filename = std::move(*decoded);
    }
  }
  if (current_.name.empty()) {
    fail(MultipartErrc::kBadContentDisposition,
         "A multipart part has no name in its Content-Disposition.");
    return false;
  }
  return true;
}

bool MultipartParser::append_data(std::string_view bytes) {
  bool file = current_.is_file();
  std::size_t limit = file ? limits_.max_file_bytes : limits_.max_value_bytes;
  if (bytes.size() > limit - current_.size) {
    if (file) {
      fail(MultipartErrc::kFileTooLarge,
           "An uploaded file is too large (max " + std::to_string(limit) + " bytes).");
    } else {
      fail(MultipartErrc::kValueTooLarge,
           "A multipart form value is too large (max " + std::to_string(limit) + " bytes).");
    }
    return false;
  }
  if (!file) {
    if (bytes.size() > limits_.max_value_total_bytes - value_bytes_) {
      fail(MultipartErrc::kValueTooLarge, "The multipart form values are too large together (max " +
                                              std::to_string(limits_.max_value_total_bytes) +
                                              " bytes).");
      return false;
    }
    value_bytes_ += bytes.size();
  }
  current_.size += bytes.size();
  if (file && sink_) return sink_call([&] { sink_->write(bytes); });
  current_.data.append(bytes);
  return true;
}

template <class Call>
bool MultipartParser::sink_call(const Call& call) {
  try {
    call();
    return true;
  } catch (const std::exception&) {
    fail(MultipartErrc::kSinkFailed, "The uploaded file could not be stored.");
    return false;
  }
}

void MultipartParser::fail(MultipartErrc code, std::string message) {
  state_ = State::kFailed;
  error_.code = code;
  error_.message = std::move(message);
}

}  // namespace basalt::http
