// DashboardFiles: the built admin dashboard (ui/, docs/dashboard.md) read into memory once at
// startup, so serving `/_/` never touches the file system.
//
// Invariants:
//  - Only regular files found under the directory at load time exist; a request names a key of
//    this map or nothing, so no request path can reach another file (no traversal: `..`, `%2F`,
//    symlinks out of the tree are never resolved at request time). Symlinks are not followed.
//  - Bounded: at most kMaxDashboardFiles files and kMaxDashboardBytes bytes in all; past either
//    the load stops with a warning and the dashboard is served as missing.
//  - Immutable after construction: shared by every worker without locks.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

namespace basalt::api {

inline constexpr std::size_t kMaxDashboardFiles = 2000;
inline constexpr std::size_t kMaxDashboardBytes = 64u << 20;

struct DashboardFile {
  std::string bytes;
  std::string content_type;
  // The same bytes gzipped once at load, for a text file of kDashboardGzipMinBytes or more
  // whose gzip is smaller; empty otherwise. Sent to clients that accept gzip.
  std::string gzipped;
};

inline constexpr std::size_t kDashboardGzipMinBytes = 1024;

class DashboardFiles {
 public:
  // Reads every regular file under `dir` (keys relative to it, '/'-separated, e.g.
  // "index.html", "assets/index-3f2a.js"). A missing directory or one without index.html
  // leaves the set empty (available() false); never throws for a bad directory.
  explicit DashboardFiles(const std::filesystem::path& dir);

  bool available() const noexcept { return index_ != nullptr; }
  const DashboardFile* index() const noexcept { return index_; }
  // The file stored under `key`, or null.
  const DashboardFile* find(std::string_view key) const;
  std::size_t size() const noexcept { return files_.size(); }
  const std::filesystem::path& dir() const noexcept { return dir_; }

 private:
  std::filesystem::path dir_;
  std::unordered_map<std::string, DashboardFile> files_;
  const DashboardFile* index_ = nullptr;
};

// The Content-Type served for a file name, from its extension (text types in UTF-8);
// application/octet-stream for an unknown one.
std::string_view dashboard_content_type(std::string_view name);

// Where the dashboard is read from when the `ui-dir` setting is empty: `ui` beside the
// directory of the running binary (build/release/basalt -> build/ui, where the make targets
// build it).
std::filesystem::path default_dashboard_dir();

}  // namespace basalt::api
