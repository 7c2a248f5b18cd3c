#include "basalt/app/restore_start.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "basalt/backups/restore_swap.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/db/sqlite/lock_file.hpp"

extern char** environ;

namespace basalt::app {

std::unique_ptr<Storage> open_storage(const core::Config& config, const core::Clock& clock) {
  std::filesystem::create_directories(config.data_dir);
  backups::RestoreSwap swap(config.data_dir);
  backups::RestoreState state;
  {
    // The directory's own lock (the one the database takes): no other process may be moving
    // or using these files meanwhile.
    db::sqlite::LockFile lock(config.data_dir);
    state = swap.prepare();
  }
  if (state != backups::RestoreState::kRestored) {
    return std::make_unique<Storage>(config, clock);
  }
  try {
    auto storage = std::make_unique<Storage>(config, clock);
    swap.committed();  // touches only .restore/, never the open database
    return storage;
  } catch (const db::DirectoryInUseError&) {
    throw;  // another process started meanwhile: not the restored data's fault
  } catch (const std::exception& error) {
    spdlog::error("restore: the restored database did not open: {}", error.what());
  }
  {
    db::sqlite::LockFile lock(config.data_dir);
    swap.revert();
  }
  return std::make_unique<Storage>(config, clock);
}

namespace {

std::vector<std::string> own_arguments() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> arguments;
  std::string current;
  for (char c : text) {
    if (c == '\0') {
      arguments.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) arguments.push_back(std::move(current));
  return arguments;
}

// Nothing this process opened may reach the next image (a listening socket would take a share
// of the port's connections and never accept them).
void close_on_exec_above_stderr() {
  DIR* directory = ::opendir("/proc/self/fd");
  if (directory == nullptr) return;
  const int own = ::dirfd(directory);
  while (const dirent* entry = ::readdir(directory)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == own) continue;
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
  ::closedir(directory);
}

}  // namespace

void restart_in_place() {
  std::vector<std::string> arguments = own_arguments();
  if (arguments.empty()) {
    spdlog::error("restore: cannot read /proc/self/cmdline; not restarting");
    return;
  }
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  close_on_exec_above_stderr();
  spdlog::info("restore: restarting in place");
  spdlog::default_logger()->flush();
  sigset_t none;
  sigemptyset(&none);
  pthread_sigmask(SIG_SETMASK, &none, nullptr);
  ::execve("/proc/self/exe", argv.data(), environ);
  spdlog::error("restore: cannot restart in place: {}", std::strerror(errno));
}

}  // namespace basalt::app
