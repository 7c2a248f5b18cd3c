#include "basalt/files/storage.hpp"

namespace basalt::files {

void check_key(std::string_view key) {
  auto fail = [](const char* why) {
    throw StorageError(std::string("invalid storage key: ") + why);
  };
  if (key.empty()) fail("empty");
  if (key.front() == '/' || key.back() == '/') fail("leading or trailing '/'");
  if (key.find('\0') != std::string_view::npos) fail("NUL byte");
  if (key.find('\\') != std::string_view::npos) fail("backslash");
  std::size_t start = 0;
  while (start <= key.size()) {
    std::size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view segment = key.substr(start, end - start);
    if (segment.empty()) fail("empty segment");
    if (segment == "." || segment == "..") fail("'.' or '..' segment");
    start = end + 1;
  }
}

}  // namespace basalt::files
