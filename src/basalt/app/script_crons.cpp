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
  try {
    scheduler_.add(id, expression, std::move(run));
    return true;
  } catch (const std::invalid_argument& error) {
    spdlog::warn("hooks: cron \"{}\" refused: {}", id, error.what());
    return false;
  }
}

void ScriptCrons::remove(const std::string& id) {
  if (id.starts_with("__")) return;  // never one of ours (add() refused it)
  scheduler_.remove(id);
}

}  // namespace basalt::app
