#include "basalt/http/gzip.hpp"

#include <zlib.h>

#include <cctype>

#include "basalt/http/ascii.hpp"

namespace basalt::http {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 15-bit window, +16 selects the gzip wrapper
constexpr int kMemLevel = 8;              // zlib's default
constexpr int kLevel = 1;

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "q=0", "q=0.0", "q=0.000" mean "not acceptable"; anything else is acceptable.
bool q_is_zero(std::string_view params) noexcept {
  while (!params.empty()) {
    auto semi = params.find(';');
    std::string_view param = trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() < 2 || std::tolower(static_cast<unsigned char>(param[0])) != 'q' ||
        param[1] != '=') {
      continue;
    }
    std::string_view value = param.substr(2);
    if (value.empty() || value[0] != '0') return false;
    for (char c : value.substr(1)) {
      if (c != '.' && c != '0') return false;
    }
    return true;
  }
  return false;
}

}  // namespace

bool accepts_gzip(std::string_view accept_encoding) noexcept {
  bool star = false;
  bool gzip = false;
  bool gzip_listed = false;
  while (!accept_encoding.empty()) {
    auto comma = accept_encoding.find(',');
    std::string_view item = accept_encoding.substr(0, comma);
    accept_encoding =
        comma == std::string_view::npos ? std::string_view() : accept_encoding.substr(comma + 1);
    auto semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    std::string_view params =
        semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    bool ok = !q_is_zero(params);
    if (iequals(coding, "gzip") || iequals(coding, "x-gzip")) {
      gzip_listed = true;
      gzip = ok;
    } else if (coding == "*") {
      star = ok;
    }
  }
  return gzip_listed ? gzip : star;
}

bool gzip_compress(std::string_view input, std::string& out) {
  z_stream stream{};
  if (deflateInit2(&stream, kLevel, Z_DEFLATED, kGzipWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return false;
  }
  const std::size_t old_size = out.size();
  out.resize(old_size + deflateBound(&stream, static_cast<uLong>(input.size())));
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data() + old_size);
  stream.avail_out = static_cast<uInt>(out.size() - old_size);
  int rc = deflate(&stream, Z_FINISH);
  const std::size_t produced = stream.total_out;
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) {
    out.resize(old_size);
    return false;
  }
  out.resize(old_size + produced);
  return true;
}

}  // namespace basalt::http
