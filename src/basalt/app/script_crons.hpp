// ScriptCrons: the scripts' cron jobs (basalt.cron, docs/hooks.md "Cron jobs") scheduled on
// the durable cron scheduler (docs/jobs.md), so each scheduled run happens once across the
// instances and /api/crons lists them next to the built-in ones.
//
// A script may not take an id starting with "__" (PocketBase's and Basalt's own jobs, such as
// __pbAutoBackup__): add() refuses it rather than replacing a built-in job.
// Thread safety: as CronScheduler's add()/remove(): any thread.
#pragma once

#include <functional>
#include <string>

#include "basalt/jobs/cron_scheduler.hpp"
#include "basalt/scripting/cron_registrar.hpp"

namespace basalt::app {

class ScriptCrons final : public scripting::CronRegistrar {
 public:
  explicit ScriptCrons(jobs::CronScheduler& scheduler) : scheduler_(scheduler) {}

  bool add(const std::string& id, const std::string& expression,
           std::function<void()> run) override;
  void remove(const std::string& id) override;

 private:
  jobs::CronScheduler& scheduler_;
};

}  // namespace basalt::app
