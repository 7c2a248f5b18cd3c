#include "basalt/app/script_crons.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <utility>

namespace basalt::app {

bool ScriptCrons::add(const std::string& id, const std::string& expression,
                      std::function<void()> run) {
  if (id.starts_with("__")) {
    spdlog::warn("hooks: cron id \"{}\" refused: ids starting with \"__\" are Basalt's own", id);
    return false;
  }
  std::lock_guard lock(mutex_);
  if (!owned_.contains(id)) {
    for (const jobs::CronEntry& entry : scheduler_.list()) {
      if (entry.id != id) continue;
      spdlog::warn("hooks: cron id \"{}\" refused: another part of the server registered it", id);
      return false;
    }
  }
  try {
    scheduler_.add(id, expression, std::move(run));
    owned_.insert(id);
    return true;
  } catch (const std::invalid_argument& error) {
    spdlog::warn("hooks: cron \"{}\" refused: {}", id, error.what());
    return false;
  }
}

void ScriptCrons::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  if (owned_.erase(id) == 0) return;  // never one of the scripts' (add() refused it)
  scheduler_.remove(id);
}

}  // namespace basalt::app
