#include "basalt/files/serve_headers.hpp"

#include <array>
#include <utility>

namespace basalt::files {
namespace {

constexpr std::array<std::string_view, 25> kInlineTypes = {
    // images
    "image/png", "image/jpg", "image/jpeg", "image/gif", "image/webp", "image/x-icon", "image/bmp",
    // video
    "video/webm", "video/mp4", "video/3gpp", "video/quicktime", "video/x-ms-wmv",
    // audio
    "audio/basic", "audio/aiff", "audio/mpeg", "audio/midi", "audio/mp3", "audio/wave", "audio/wav",
    "audio/x-wav", "audio/x-mpeg", "audio/x-m4a", "audio/aac",
    // documents
    "application/pdf", "application/x-pdf"};

constexpr std::array<std::pair<std::string_view, std::string_view>, 7> kByExtension = {{
    {".svg", "image/svg+xml"},
    {".css", "text/css"},
    {".js", "text/javascript"},
    {".mjs", "text/javascript"},
    {".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    {".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    {".pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
}};

// The extension as Go's filepath.Ext sees it: from the last '.' of the name, case kept.
std::string_view extension(std::string_view filename) noexcept {
  const std::size_t dot = filename.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : filename.substr(dot);
}

}  // namespace

bool is_inline_content_type(std::string_view content_type) noexcept {
  for (std::string_view type : kInlineTypes) {
    if (type == content_type) return true;
  }
  return false;
}

std::string_view served_content_type(std::string_view filename,
                                     std::string_view detected) noexcept {
  const std::string_view ext = extension(filename);
  for (const auto& [known, type] : kByExtension) {
    if (known == ext) return type;
  }
  return detected;
}

std::string content_disposition(std::string_view detected_content_type, std::string_view name,
                                bool download) {
  std::string out =
      !download && is_inline_content_type(detected_content_type) ? "inline" : "attachment";
  out += "; filename=";
  out += name;
  return out;
}

}  // namespace basalt::files
