#include "basalt/backups/restore_swap.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace basalt::backups {
namespace {

constexpr std::string_view kStateFile = "STATE";

struct StateName {
  RestoreState state;
  std::string_view name;
};
constexpr StateName kStateNames[] = {
    {RestoreState::kNone, "none"},
    {RestoreState::kStaged, "staged"},
    {RestoreState::kMovingOut, "moving-out"},
    {RestoreState::kMovingIn, "moving-in"},
    {RestoreState::kRestored, "restored"},
    {RestoreState::kCommitted, "committed"},
    {RestoreState::kRevertingOut, "reverting-out"},
    {RestoreState::kRevertingIn, "reverting-in"},
};

// Makes a rename or a new file in `directory` durable.
void sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    throw std::runtime_error(
        fmt::format("cannot open {}: {}", directory.string(), std::strerror(errno)));
  }
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) {
    throw std::runtime_error(
        fmt::format("cannot sync {}: {}", directory.string(), std::strerror(error)));
  }
}

void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::rename(from, to);  // throws filesystem_error
  sync_directory(to.parent_path());
  if (from.parent_path() != to.parent_path()) sync_directory(from.parent_path());
}

}  // namespace

std::string_view to_string(RestoreState state) noexcept {
  for (const auto& entry : kStateNames) {
    if (entry.state == state) return entry.name;
  }
  return "unknown";
}

RestoreState RestoreSwap::state() const {
  std::ifstream in(root() / kStateFile);
  if (!in) return RestoreState::kNone;
  std::string word;
  in >> word;
  for (const auto& entry : kStateNames) {
    if (entry.name == word && entry.state != RestoreState::kNone) return entry.state;
  }
  throw std::runtime_error(
      fmt::format("unknown restore state \"{}\" in {}", word, (root() / kStateFile).string()));
}

void RestoreSwap::write_state(RestoreState state) {
  const std::filesystem::path file = root() / kStateFile;
  const std::filesystem::path partial = root() / "STATE.partial";
  {
    const int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      throw std::runtime_error(
          fmt::format("cannot write {}: {}", partial.string(), std::strerror(errno)));
    }
    const std::string text = std::string(to_string(state)) + "\n";
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(fd) == 0;
    const int error = errno;
    ::close(fd);
    if (!ok) {
      throw std::runtime_error(
          fmt::format("cannot write {}: {}", partial.string(), std::strerror(error)));
    }
  }
  rename_durably(partial, file);
}

void RestoreSwap::step(RestoreState state) {
  if (hook_ != nullptr) hook_(state, hook_context_);
}

void RestoreSwap::move_items(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::create_directories(to);
  for (std::string_view item : kDataItems) {
    const std::filesystem::path source = from / item;
    std::error_code error;
    if (!std::filesystem::exists(std::filesystem::symlink_status(source, error))) continue;
    rename_durably(source, to / item);
  }
}

void RestoreSwap::remove_root() {
  std::filesystem::remove_all(root());
  sync_directory(data_dir_);
}

void RestoreSwap::stage(const std::filesystem::path& extracted) {
  if (std::filesystem::exists(root() / kStateFile)) {
    throw std::runtime_error("a restore is already staged");
  }
  std::filesystem::remove_all(root());  // leftovers of a staging that never finished
  std::filesystem::create_directories(root());
  rename_durably(extracted, root() / "incoming");
  write_state(RestoreState::kStaged);
}

RestoreState RestoreSwap::prepare() {
  RestoreState current = state();
  if (current == RestoreState::kNone) {
    if (std::filesystem::exists(root())) {
      spdlog::warn("restore: removing {} (a restore whose staging never finished)",
                   root().string());
      remove_root();
    }
    return RestoreState::kNone;
  }
  spdlog::info("restore: resuming from state {}", to_string(current));
  if (current == RestoreState::kStaged) {
    step(current);
    write_state(current = RestoreState::kMovingOut);
  }
  if (current == RestoreState::kMovingOut) {
    step(current);
    move_items(data_dir_, root() / "previous");
    write_state(current = RestoreState::kMovingIn);
  }
  if (current == RestoreState::kMovingIn) {
    step(current);
    move_items(root() / "incoming", data_dir_);
    write_state(current = RestoreState::kRestored);
  }
  if (current == RestoreState::kRestored) return current;
  if (current == RestoreState::kCommitted) {
    step(current);
    remove_root();
    return RestoreState::kNone;
  }
  finish_revert();  // kRevertingOut or kRevertingIn
  return RestoreState::kNone;
}

void RestoreSwap::committed() {
  step(RestoreState::kRestored);
  write_state(RestoreState::kCommitted);
  step(RestoreState::kCommitted);
  remove_root();
  spdlog::info("restore: the restored data opened; the previous data was deleted");
}

void RestoreSwap::revert() {
  step(RestoreState::kRestored);
  write_state(RestoreState::kRevertingOut);
  finish_revert();
}

void RestoreSwap::finish_revert() {
  RestoreState current = state();
  if (current == RestoreState::kRevertingOut) {
    step(current);
    move_items(data_dir_, root() / "failed");
    write_state(current = RestoreState::kRevertingIn);
  }
  if (current == RestoreState::kRevertingIn) {
    step(current);
    move_items(root() / "previous", data_dir_);
    remove_root();
  }
  spdlog::error("restore: the restored data did not open; the previous data is back in place");
}

}  // namespace basalt::backups
