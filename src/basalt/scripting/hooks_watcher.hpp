// HooksWatcher: reloads the scripts when the hooks directory changes (docs/hooks.md, "Hot
// reload"). Its own thread waits on inotify (the directory and its lib/ subdirectory: files
// written, moved in or out, deleted) and an eventfd that stop() signals. Editors write a file
// in several steps, so a change is acted on only once `debounce` passed without another; then
// ScriptEngine::reload() runs on this thread (the scratch load included), never on a worker.
// Thread ownership: the watcher thread calls reload() and `after_reload`; start/stop from the
// owner's thread.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "basalt/scripting/script_engine.hpp"

namespace basalt::scripting {

class HooksWatcher {
 public:
  // `after_reload(loaded)` is called on the watcher thread after each reload (tests).
  HooksWatcher(ScriptEngine& engine, std::chrono::milliseconds debounce,
               std::function<void(bool loaded)> after_reload = nullptr);
  ~HooksWatcher();  // stops
  HooksWatcher(const HooksWatcher&) = delete;
  HooksWatcher& operator=(const HooksWatcher&) = delete;

  // Creates the directory (and lib/) when missing and starts watching; false (logged) when it
  // cannot be watched, in which case the scripts loaded at start keep running unchanged.
  bool start();
  void stop();

 private:
  void run();
  void watch_directories();

  ScriptEngine& engine_;
  std::chrono::milliseconds debounce_;
  std::function<void(bool)> after_reload_;
  int inotify_ = -1;
  int stop_event_ = -1;
  std::thread thread_;
};

}  // namespace basalt::scripting
