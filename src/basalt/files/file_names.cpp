#include "basalt/files/file_names.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <utility>

namespace basalt::files {
namespace {

bool is_upper(char c) noexcept {
  return c >= 'A' && c <= 'Z';
}
bool is_lower(char c) noexcept {
  return c >= 'a' && c <= 'z';
}
bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) noexcept {
  return is_upper(c) || is_lower(c) || is_digit(c);
}

// Go's \w plus . * - + = # (PocketBase's extInvalidCharsRegex keeps exactly these).
bool is_extension_char(char c) noexcept {
  return is_alnum(c) || c == '_' || c == '.' || c == '*' || c == '-' || c == '+' || c == '=' ||
         c == '#';
}

constexpr std::size_t kMaxBase = 100;
constexpr std::size_t kMinBase = 3;
constexpr std::size_t kMaxExtension = 20;
constexpr std::size_t kRandomPart = 10;

}  // namespace

std::string base_name(std::string_view path) {
  if (path.empty()) return ".";
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "/";
  if (auto slash = path.rfind('/'); slash != std::string_view::npos) path.remove_prefix(slash + 1);
  return std::string(path);
}

std::string snakecase(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_alnum(text[i])) ++i;
    const std::size_t start = i;
    while (i < text.size() && is_alnum(text[i])) ++i;
    if (start == i) break;
    if (!out.empty()) out.push_back('_');
    for (std::size_t k = start; k < i; ++k) {
      if (is_upper(text[k]) && k > start && !is_upper(text[k - 1])) out.push_back('_');
      out.push_back(is_upper(text[k]) ? static_cast<char>(text[k] + 32) : text[k]);
    }
  }
  return out;
}

std::string random_lower_alnum(std::size_t length) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  // 252 = 7 * 36: bytes at or above it are dropped, so every character is equally likely.
  constexpr unsigned kBound = 252;
  std::string out;
  out.reserve(length);
  std::array<unsigned char, 64> random{};
  while (out.size() < length) {
    ssize_t n = ::getrandom(random.data(), random.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    for (ssize_t k = 0; k < n && out.size() < length; ++k) {
      if (random[k] < kBound) out.push_back(kAlphabet[random[k] % kAlphabet.size()]);
    }
  }
  return out;
}

std::string_view raw_extension(std::string_view name) {
  const auto primary = name.rfind('.');
  if (primary == std::string_view::npos) return {};
  const auto secondary = primary == 0 ? std::string_view::npos : name.rfind('.', primary - 1);
  return name.substr(secondary != std::string_view::npos ? secondary : primary);
}

std::string normalize_file_name(std::string_view original, std::string_view detected_mime) {
  const std::string_view extension = raw_extension(original);
  std::string clean_extension;
  for (char c : extension) {
    if (is_extension_char(c)) clean_extension.push_back(c);
  }
  if (clean_extension.empty()) clean_extension = std::string(extension_for_mime(detected_mime));
  if (clean_extension.size() > kMaxExtension) {
    clean_extension = "." + clean_extension.substr(clean_extension.size() - kMaxExtension);
  }
  std::string base = snakecase(original.substr(0, original.size() - extension.size()));
  if (base.size() < kMinBase) {
    base += random_lower_alnum(kRandomPart);
  } else if (base.size() > kMaxBase) {
    base.resize(kMaxBase);
  }
  return base + "_" + random_lower_alnum(kRandomPart) + clean_extension;
}

std::string_view extension_for_mime(std::string_view mime) {
  static constexpr std::pair<std::string_view, std::string_view> kKnown[] = {
      {"image/png", ".png"},       {"image/jpeg", ".jpg"},        {"image/gif", ".gif"},
      {"image/webp", ".webp"},     {"image/svg+xml", ".svg"},     {"image/bmp", ".bmp"},
      {"image/tiff", ".tiff"},     {"image/x-icon", ".ico"},      {"image/avif", ".avif"},
      {"image/heic", ".heic"},     {"application/pdf", ".pdf"},   {"application/zip", ".zip"},
      {"application/gzip", ".gz"}, {"application/x-tar", ".tar"}, {"application/json", ".json"},
      {"application/xml", ".xml"}, {"text/plain", ".txt"},        {"text/html", ".html"},
      {"text/csv", ".csv"},        {"text/css", ".css"},          {"audio/mpeg", ".mp3"},
      {"audio/ogg", ".ogg"},       {"audio/x-wav", ".wav"},       {"video/mp4", ".mp4"},
      {"video/webm", ".webm"},     {"video/quicktime", ".mov"},
  };
  for (const auto& [type, extension] : kKnown) {
    if (type == mime) return extension;
  }
  return {};
}

}  // namespace basalt::files
