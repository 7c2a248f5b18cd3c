// ScriptFiles: the sources of one generation of scripts, read from the hooks directory
// (docs/hooks.md, "Files"): every `*.lua` directly in it, in byte order of their names (the
// order they load in), and the modules `require` may load, `lib/<name>.lua`. Read on the
// loader thread, so a worker that builds a state never touches the file system.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace basalt::scripting {

inline constexpr std::size_t kMaxScriptBytes = 1 << 20;  // one file
inline constexpr std::size_t kMaxScriptFiles = 256;      // scripts and modules each

struct ScriptFile {
  std::string name;  // file name, e.g. "10_posts.lua"
  std::string source;
};

struct ScriptFiles {
  std::vector<ScriptFile> scripts;                          // in load order
  std::map<std::string, std::string, std::less<>> modules;  // require name -> source
};

// Reads the directory; a missing directory is an empty set. Throws std::runtime_error naming
// the file for an unreadable or too large file, or too many files.
ScriptFiles read_script_files(const std::filesystem::path& dir);

}  // namespace basalt::scripting
