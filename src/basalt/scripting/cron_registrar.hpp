// CronRegistrar: where the scripts' cron jobs (basalt.cron, docs/hooks.md "Cron jobs") are
// scheduled. The scripting module only defines it; the composition root wires it to the durable
// job scheduler. Without one (the default), scripts that call basalt.cron load normally and
// their jobs are logged as not scheduled.
#pragma once

#include <functional>
#include <string>

namespace basalt::scripting {

class CronRegistrar {
 public:
  virtual ~CronRegistrar() = default;
  // Schedules (or reschedules) job `id` on the five-field cron `expression`; `run` may be
  // called from any thread and returns at once (the job runs on the scripts' cron thread).
  // False when the expression is refused.
  virtual bool add(const std::string& id, const std::string& expression,
                   std::function<void()> run) = 0;
  // Removes a job a later generation no longer registers.
  virtual void remove(const std::string& id) = 0;
};

}  // namespace basalt::scripting
