// The jobs Basalt runs on the durable queue (docs/jobs.md, "Built-in jobs"), wired here because
// they reach many modules:
//   cron __pbLogsCleanup__   "0 */6 * * *"  request logs past settings.logs.maxDays deleted
//   cron __pbDBOptimize__    "0 0 * * *"    Dialect::optimize_statements (PRAGMA optimize /
//                                           ANALYZE) in one write job
//   cron __pbMFACleanup__    "0 * * * *"    expired `_mfas` rows deleted
//   cron __pbOTPCleanup__    "0 * * * *"    expired `_otps` rows deleted
//   cron __pbAutoBackup__    settings.backups.cron, registered while it is set (re-registered
//                            when the settings change): an automatic backup, keeping the newest
//                            cronMaxKeep
//   job  mail.send           a built mail sent over SMTP with the settings of the moment;
//                            transient failures retried with the queue's backoff
// Thread ownership: the handlers and cron functions run on the job runner's threads; the
// settings listener on whichever thread publishes settings (it only adds or removes a cron).
#pragma once

#include <atomic>

#include "basalt/backups/backup_service.hpp"
#include "basalt/jobs/cron_scheduler.hpp"
#include "basalt/logs/request_logger.hpp"
#include "basalt/mail/outbox.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::app {

inline constexpr std::string_view kMailJobKind = "mail.send";
// Attempts of a mail: with the queue's backoff (2 s doubling, at most 10 min) about 4 minutes
// of retries in all.
inline constexpr int kMailAttempts = 8;

struct BuiltinJobParts {
  jobs::JobRunner& runner;
  jobs::CronScheduler& crons;
  db::Database& database;
  records::RecordService& records;
  const collections::CollectionService& collections;
  logs::RequestLogger& request_logger;
  backups::BackupService& backups;
  settings::SettingsService& settings;
  mail::Outbox& outbox;
  mail::Transport transport;
  // Set at shutdown: sweeps stop between pages, an SMTP session in progress is abandoned.
  const std::atomic<bool>& stopping;
};

// Registers the mail.send handler (so call it before runner.start()), the crons, the automatic
// backup's settings listener, and the outbox's durable queue.
void register_builtin_jobs(const BuiltinJobParts& parts);

}  // namespace basalt::app
