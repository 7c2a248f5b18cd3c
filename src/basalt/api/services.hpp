// Services: what the REST handlers call. Built by the composition root (app), which owns every
// member and keeps it alive until the server has stopped. Handlers hold no state of their own.
// Only what a handler (or the route wrapper) calls belongs here; a service's own dependencies
// (the hasher, the blocking pool) are wired in app.
#pragma once

#include <filesystem>

#include "basalt/accounts/account_flows.hpp"
#include "basalt/auth/authenticator.hpp"
#include "basalt/auth/mfa_gate.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/auth/request_counters.hpp"
#include "basalt/auth/totp_service.hpp"
#include "basalt/backups/backup_service.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/db/database.hpp"
#include "basalt/events/destination_service.hpp"
#include "basalt/files/file_service.hpp"
#include "basalt/graphql/graphql_service.hpp"
#include "basalt/jobs/cron_scheduler.hpp"
#include "basalt/logs/log_store.hpp"
#include "basalt/oauth2/oauth2_sign_in.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/realtime/broker.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::api {

struct Services {
  db::Database& database;
  collections::CollectionService& collections;
  records::RecordService& records;
  query::PlanCache& plans;  // resolved rules and filters, per schema version (collection list)
  const auth::PasswordSignIn& sign_in;
  settings::SettingsService& settings;  // runtime application settings (/api/settings)
  const core::Clock& clock;             // token issue and expiry, @now of the collections list
  auth::Authenticator& authenticator;   // Authorization header -> AuthContext, cached records
  realtime::Broker& realtime;           // /api/realtime streams and subscriptions
  core::BlockingPool& blocking;         // blocking calls: storage I/O (the S3 connection test)
  files::FileService& files;            // stored files and thumbnails (/api/files)
  // Where multipart file parts of record writes and batches are spooled while they arrive
  // (docs/files.md); on the file system of the storage directory, so a stored file is renamed.
  const std::filesystem::path& upload_spool_dir;
  backups::BackupService& backups;     // /api/backups
  accounts::AccountFlows& accounts;    // verification, password reset, email change, OTP
  const oauth2::OAuth2SignIn& oauth2;  // auth-with-oauth2 (docs/oauth2.md)
  const auth::MfaGate& mfa;            // every sign-in method's MFA check (sign_in_response.hpp)
  const auth::TotpService& totp;       // Basalt's TOTP routes (totp_handlers.hpp)
  auth::RequestCounters& rate_limits;  // settings.rateLimits counters (rate_limit_check.hpp)
  graphql::GraphqlService& graphql;    // /api/graphql (graphql_handler.hpp)
  logs::LogStore& logs;                // /api/logs: auxiliary.db (log_handlers.hpp)
  query::PlanCache& log_plans;         // the logs API's filters and sorts (never a collection's)
  events::DestinationService& destinations;  // /api/webhooks (docs/events.md)
  jobs::CronScheduler& crons;          // /api/crons (cron_handlers.hpp)
  jobs::JobStore& jobs;                // /api/jobs: the durable queue's rows
};

}  // namespace basalt::api
