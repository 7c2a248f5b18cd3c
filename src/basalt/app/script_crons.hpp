// ScriptCrons: the scripts' cron jobs (basalt.cron, docs/hooks.md "Cron jobs") scheduled on
// the durable cron scheduler (docs/jobs.md), so each scheduled run happens once across the
// instances and /api/crons lists them next to the built-in ones.
//
// A script may not take an id starting with "__" (PocketBase's and Basalt's own jobs, such as
// __pbAutoBackup__) nor one that something else registered (a C++ extension's cron,
// docs/extending.md): add() refuses it rather than replacing that job, and remove() only ever
// removes ids the scripts added.
// Thread safety: any thread (the owned-id set is under a mutex; the scheduler locks its own).
#pragma once

#include <functional>
#include <mutex>
#include <set>
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
  std::mutex mutex_;
  std::set<std::string> owned_;  // ids the scripts registered (and have not removed)
};

}  // namespace basalt::app
