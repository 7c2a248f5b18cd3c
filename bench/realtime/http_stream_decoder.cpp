#include "http_stream_decoder.hpp"

#include <algorithm>
#include <cctype>

namespace rtbench {

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) ==
                  std::tolower(static_cast<unsigned char>(b));
         });
}

// True when a header line says `Transfer-Encoding: chunked` (the only coding we expect).
bool is_chunked_header(std::string_view line) {
  constexpr std::string_view kName = "transfer-encoding:";
  if (!starts_with_ci(line, kName)) return false;
  std::string_view value = line.substr(kName.size());
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  return starts_with_ci(value, "chunked");
}

}  // namespace

void HttpStreamDecoder::reset() {
  std::string().swap(head_);
  chunk_left_ = 0;
  state_ = State::head;
  in_extension_ = false;
}

HttpStreamDecoder::Result HttpStreamDecoder::take_head(std::string_view& bytes) {
  std::size_t before = head_.size();
  std::size_t take = std::min(bytes.size(), kMaxHeadBytes + 4 - before);
  head_.append(bytes.substr(0, take));
  // Look for the blank line from a little before the new bytes: it may straddle two reads.
  std::size_t from = before >= 3 ? before - 3 : 0;
  std::size_t end = head_.find("\r\n\r\n", from);
  if (end == std::string::npos) {
    if (head_.size() > kMaxHeadBytes) return Result::bad_head;
    bytes.remove_prefix(take);
    return Result::more;
  }
  std::string_view head(head_.data(), end + 2);  // every line with its CRLF
  // "HTTP/1.1 200 OK"
  if (head.size() < 12 || !head.starts_with("HTTP/1.") || head.substr(8, 5) != " 200 ") {
    return Result::bad_status;
  }
  bool chunked = false;
  for (std::size_t at = head.find("\r\n") + 2; at < head.size();) {
    std::size_t eol = head.find("\r\n", at);
    if (is_chunked_header(head.substr(at, eol - at))) chunked = true;
    at = eol + 2;
  }
  // What of this read lies past the head is body.
  bytes.remove_prefix(end + 4 - before);
  std::string().swap(head_);
  state_ = chunked ? State::chunk_size : State::until_close;
  return Result::more;
}

HttpStreamDecoder::Result HttpStreamDecoder::take_chunk_size(std::string_view& bytes) {
  while (!bytes.empty()) {
    char c = bytes.front();
    bytes.remove_prefix(1);
    if (c == '\n') {
      in_extension_ = false;
      if (chunk_left_ == 0) return Result::ended;  // the last chunk
      state_ = State::chunk_data;
      return Result::more;
    }
    if (in_extension_ || c == '\r') continue;
    if (c == ';') {
      in_extension_ = true;
      continue;
    }
    int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                            : -1;
    if (digit < 0 || chunk_left_ > (std::uint64_t{1} << 40)) return Result::bad_chunk;
    chunk_left_ = chunk_left_ * 16 + static_cast<std::uint64_t>(digit);
  }
  return Result::more;
}

}  // namespace rtbench
