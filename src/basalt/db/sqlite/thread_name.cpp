#include "basalt/db/sqlite/thread_name.hpp"

#include <filesystem>

namespace basalt::db::sqlite {

namespace {
constexpr std::size_t kMaxThreadName = 15;  // pthread_setname_np: 16 bytes with the NUL
}  // namespace

std::string database_thread_name(std::string_view main_name, std::string_view prefix,
                                 std::string_view database_path) {
  const std::string stem = std::filesystem::path(database_path).stem().string();
  std::string name = stem == "data" ? std::string(main_name) : std::string(prefix) + stem;
  if (name.size() > kMaxThreadName) name.resize(kMaxThreadName);
  return name;
}

}  // namespace basalt::db::sqlite
