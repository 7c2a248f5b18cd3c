#include "basalt/api/dashboard_files.hpp"

#include "basalt/http/gzip.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace basalt::api {
namespace {

namespace fs = std::filesystem;

struct DashboardExtensionType {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<DashboardExtensionType, 16> kDashboardTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".txt", "text/plain; charset=utf-8"},
    {".wasm", "application/wasm"},
    {".webmanifest", "application/manifest+json"},
}};

bool dashboard_compressible(std::string_view type) {
  return type.starts_with("text/") || type.starts_with("image/svg") ||
         type.starts_with("application/json") || type.starts_with("application/manifest");
}

bool read_dashboard_file(const fs::path& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

}  // namespace

std::string_view dashboard_content_type(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    const std::string_view extension = name.substr(dot);
    for (const auto& [known, type] : kDashboardTypes) {
      if (extension == known) return type;
    }
  }
  return "application/octet-stream";
}

fs::path default_dashboard_dir() {
  std::error_code ec;
  const fs::path binary = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::path("build") / "ui";
  return binary.parent_path().parent_path() / "ui";
}

DashboardFiles::DashboardFiles(const fs::path& dir) : dir_(dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    spdlog::warn("dashboard: {} is not a directory; /_/ answers 404 (build it: make ui)",
                 dir.string());
    return;
  }
  std::size_t total = 0;
  // Symlinks are not followed (the default): only the tree itself is read.
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
    if (files_.size() >= kMaxDashboardFiles) {
      spdlog::warn("dashboard: more than {} files in {}; not served", kMaxDashboardFiles,
                   dir.string());
      files_.clear();
      return;
    }
    DashboardFile file;
    if (!read_dashboard_file(it->path(), file.bytes)) continue;
    total += file.bytes.size();
    if (total > kMaxDashboardBytes) {
      spdlog::warn("dashboard: {} holds more than {} bytes; not served", dir.string(),
                   kMaxDashboardBytes);
      files_.clear();
      return;
    }
    std::string key = it->path().lexically_relative(dir).generic_string();
    file.content_type = std::string(dashboard_content_type(key));
    if (dashboard_compressible(file.content_type) && file.bytes.size() >= kDashboardGzipMinBytes &&
        http::gzip_compress(file.bytes, file.gzipped) && file.gzipped.size() >= file.bytes.size()) {
      file.gzipped.clear();
    }
    files_.emplace(std::move(key), std::move(file));
  }
  if (ec) spdlog::warn("dashboard: reading {}: {}", dir.string(), ec.message());
  if (const auto found = files_.find("index.html"); found != files_.end()) {
    index_ = &found->second;
  } else {
    spdlog::warn("dashboard: no index.html in {}; /_/ answers 404 (build it: make ui)",
                 dir.string());
  }
}

const DashboardFile* DashboardFiles::find(std::string_view key) const {
  const auto found = files_.find(std::string(key));
  return found == files_.end() ? nullptr : &found->second;
}

}  // namespace basalt::api
