#include "basalt/app/builtin_jobs.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <memory>
#include <mutex>

#include "basalt/app/mail_delivery.hpp"
#include "basalt/app/run_blocking.hpp"
#include "basalt/records/expired_auth_rows.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::app {
namespace {

namespace json = boost::json;

constexpr std::string_view kAutoBackupCron = "__pbAutoBackup__";
constexpr std::size_t kSweepPage = 100;

void optimize_database(db::Database& database) {
  run_blocking(database.write([&database](db::Transaction& tx) -> boost::asio::awaitable<void> {
    const std::vector<std::string> statements = database.dialect().optimize_statements();
    for (const std::string& statement : statements) co_await tx.execute(statement);
  }));
}

void send_mail_job(const settings::SettingsService& settings, const mail::Transport& transport,
                   const std::atomic<bool>& stopping, const jobs::ClaimedJob& job) {
  std::string kind, from, mime;
  std::vector<std::string> to;
  try {
    const json::object payload = json::parse(job.payload).as_object();
    kind = json::value_to<std::string>(payload.at("kind"));
    from = json::value_to<std::string>(payload.at("from"));
    mime = json::value_to<std::string>(payload.at("mime"));
    to = json::value_to<std::vector<std::string>>(payload.at("to"));
  } catch (const std::exception&) {
    throw jobs::PermanentJobError("malformed mail job payload");
  }
  if (to.empty()) throw jobs::PermanentJobError("a mail without recipients");
  mail::DeliverySettings delivery = delivery_settings(*settings.current());
  if (!delivery.smtp_enabled) {
    // Turned off since the mail was queued: as the outbox does, it is logged, not sent.
    spdlog::info("mail: SMTP is disabled now, a queued {} mail was NOT SENT", kind);
    return;
  }
  delivery.smtp.cancel = &stopping;
  const mail::SendOutcome outcome = transport(delivery.smtp, from, to, mime);
  if (outcome.sent) return;
  if (outcome.transient) throw std::runtime_error(outcome.error);
  throw jobs::PermanentJobError(outcome.error);
}

// Keeps __pbAutoBackup__ in step with settings.backups (cron, cronMaxKeep).
class AutoBackupCron {
 public:
  AutoBackupCron(jobs::CronScheduler& crons, backups::BackupService& backups,
                 const settings::SettingsService& settings)
      : crons_(crons), backups_(backups), settings_(settings) {}

  void apply(const settings::AppSettings& current) {
    std::lock_guard lock(mutex_);
    const std::string& expression = current.backups.cron;
    if (expression == registered_) return;
    registered_ = expression;
    if (expression.empty()) {
      crons_.remove(std::string(kAutoBackupCron));
      return;
    }
    // The function holds the services, not this listener: it may run after the listener is gone.
    backups::BackupService& backups = backups_;
    const settings::SettingsService& settings = settings_;
    try {
      crons_.add(std::string(kAutoBackupCron), expression, [&backups, &settings] {
        backups.create_scheduled(settings.current()->backups.cron_max_keep);
      });
    } catch (const std::invalid_argument& error) {  // validated on save; an old row may not be
      spdlog::warn("backups: settings.backups.cron is not a valid schedule: {}", error.what());
      crons_.remove(std::string(kAutoBackupCron));
    }
  }

 private:
  jobs::CronScheduler& crons_;
  backups::BackupService& backups_;
  const settings::SettingsService& settings_;
  std::mutex mutex_;
  std::string registered_;
};

}  // namespace

void register_builtin_jobs(const BuiltinJobParts& parts) {
  const settings::SettingsService& settings = parts.settings;
  const std::atomic<bool>& stopping = parts.stopping;
  parts.runner.handle(std::string(kMailJobKind), [&settings, transport = parts.transport,
                                                  &stopping](const jobs::ClaimedJob& job) {
    send_mail_job(settings, transport, stopping, job);
  });
  jobs::JobRunner& runner = parts.runner;
  parts.outbox.set_durable_queue([&runner](const std::string& kind, const std::string& from,
                                           const std::vector<std::string>& to,
                                           const std::string& mime) {
    json::array recipients(to.begin(), to.end());
    const json::object payload{{"kind", kind}, {"from", from}, {"to", recipients}, {"mime", mime}};
    runner.enqueue_blocking(
        {std::string(kMailJobKind), json::serialize(payload), {}, kMailAttempts, std::nullopt});
  });

  // PocketBase's ids and schedules, registered in its order (GET /api/crons lists "__pb" ids
  // in registration order).
  logs::RequestLogger& request_logger = parts.request_logger;
  parts.crons.add("__pbLogsCleanup__", "0 */6 * * *",
                  [&request_logger] { request_logger.prune_now(); });
  db::Database& database = parts.database;
  parts.crons.add("__pbDBOptimize__", "0 0 * * *", [&database] { optimize_database(database); });
  records::RecordService& records = parts.records;
  const collections::CollectionService& collections = parts.collections;
  auto sweep = [&records, &collections, &stopping](std::string_view table) {
    const records::ExpiredAuthRowsReport report =
        records::sweep_expired_auth_rows(records, collections, kSweepPage, stopping, table);
    if (report.otps + report.mfas > 0) {
      spdlog::info("auth: deleted {} expired OTPs and {} expired MFA sessions", report.otps,
                   report.mfas);
    }
  };
  parts.crons.add("__pbMFACleanup__", "0 * * * *", [sweep] { sweep(schema::kMfasCollection); });
  parts.crons.add("__pbOTPCleanup__", "0 * * * *", [sweep] { sweep(schema::kOtpsCollection); });

  auto auto_backup = std::make_shared<AutoBackupCron>(parts.crons, parts.backups, parts.settings);
  auto_backup->apply(*parts.settings.current());
  parts.settings.on_publish(
      [auto_backup](const settings::AppSettings& current) { auto_backup->apply(current); });
}

}  // namespace basalt::app
