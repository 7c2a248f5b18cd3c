#include "basalt/scripting/hooks_watcher.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <system_error>

namespace basalt::scripting {
namespace {

constexpr std::uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                     IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

}  // namespace

HooksWatcher::HooksWatcher(ScriptEngine& engine, std::chrono::milliseconds debounce,
                           std::function<void(bool)> after_reload)
    : engine_(engine), debounce_(debounce), after_reload_(std::move(after_reload)) {}

HooksWatcher::~HooksWatcher() {
  stop();
}

void HooksWatcher::watch_directories() {
  const std::filesystem::path& dir = engine_.options().dir;
  for (const std::filesystem::path& path : {dir, dir / "lib"}) {
    std::error_code error;
    if (!std::filesystem::is_directory(path, error)) continue;
    if (inotify_add_watch(inotify_, path.c_str(), kWatchMask) < 0) {
      spdlog::warn("hooks: cannot watch {}: {}", path.string(), std::strerror(errno));
    }
  }
}

bool HooksWatcher::start() {
  const std::filesystem::path& dir = engine_.options().dir;
  std::error_code error;
  std::filesystem::create_directories(dir / "lib", error);
  if (error) {
    spdlog::warn("hooks: cannot create {}: {}; scripts are not reloaded", dir.string(),
                 error.message());
    return false;
  }
  inotify_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  stop_event_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (inotify_ < 0 || stop_event_ < 0) {
    spdlog::warn("hooks: cannot watch {}: {}", dir.string(), std::strerror(errno));
    stop();
    return false;
  }
  watch_directories();
  thread_ = std::thread([this] { run(); });
  return true;
}

void HooksWatcher::stop() {
  if (stop_event_ >= 0 && thread_.joinable()) {
    const std::uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = ::write(stop_event_, &one, sizeof one);
    thread_.join();
  }
  if (inotify_ >= 0) ::close(inotify_);
  if (stop_event_ >= 0) ::close(stop_event_);
  inotify_ = stop_event_ = -1;
}

void HooksWatcher::run() {
  alignas(inotify_event) std::array<char, 16 * 1024> buffer{};
  bool changed = false;
  for (;;) {
    std::array<pollfd, 2> fds{{{inotify_, POLLIN, 0}, {stop_event_, POLLIN, 0}}};
    // Waiting for the first change: forever; after one, `debounce_` of quiet.
    const int timeout = changed ? static_cast<int>(debounce_.count()) : -1;
    const int ready = ::poll(fds.data(), fds.size(), timeout);
    if (ready < 0) {
      if (errno == EINTR) continue;
      spdlog::error("hooks: watching stopped: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents) return;
    if (ready == 0) {
      changed = false;
      const bool loaded = engine_.reload();
      watch_directories();  // lib/ may have been created, or the directory replaced
      if (after_reload_) after_reload_(loaded);
      continue;
    }
    // Drain the events. Any change of a script reloads the whole directory; hidden files
    // (editors' temporary and swap files) and other names do not count.
    ssize_t size = 0;
    while ((size = ::read(inotify_, buffer.data(), buffer.size())) > 0) {
      for (ssize_t offset = 0; offset < size;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer.data() + offset);
        const std::string_view name = event->len ? std::string_view(event->name) : "";
        const bool script =
            name.size() > 4 && name.front() != '.' && name.substr(name.size() - 4) == ".lua";
        if (script || name.empty() || name == "lib") changed = true;
        offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
  }
}

}  // namespace basalt::scripting
