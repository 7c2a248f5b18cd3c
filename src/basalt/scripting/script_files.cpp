#include "basalt/scripting/script_files.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>

namespace basalt::scripting {
namespace fs = std::filesystem;
namespace {

std::string read_limited(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) throw std::runtime_error(path.string() + ": " + error.message());
  if (size > kMaxScriptBytes) {
    throw std::runtime_error(path.string() + ": larger than " + std::to_string(kMaxScriptBytes) +
                             " bytes");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot be read");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > kMaxScriptBytes) throw std::runtime_error(path.string() + ": grew while read");
  return text;
}

// Names `require` accepts: letters, digits and '_', at most 64.
bool is_module_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::vector<fs::path> lua_files(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, error)) {
    if (!entry.is_regular_file(error) || entry.path().extension() != ".lua") continue;
    out.push_back(entry.path());
    if (out.size() > kMaxScriptFiles) {
      throw std::runtime_error(dir.string() + ": more than " + std::to_string(kMaxScriptFiles) +
                               " .lua files");
    }
  }
  if (error) throw std::runtime_error(dir.string() + ": " + error.message());
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  return out;
}

}  // namespace

ScriptFiles read_script_files(const fs::path& dir) {
  ScriptFiles files;
  for (const fs::path& path : lua_files(dir)) {
    files.scripts.push_back({path.filename().string(), read_limited(path)});
  }
  for (const fs::path& path : lua_files(dir / "lib")) {
    const std::string name = path.stem().string();
    if (!is_module_name(name)) continue;
    files.modules.emplace(name, read_limited(path));
  }
  return files;
}

}  // namespace basalt::scripting
