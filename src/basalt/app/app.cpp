#include "basalt/app/app.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>

#include "basalt/accounts/account_flows.hpp"
#include "basalt/api/dashboard_files.hpp"
#include "basalt/api/dashboard_routes.hpp"
#include "basalt/api/metrics_endpoint.hpp"
#include "basalt/api/readiness.hpp"
#include "basalt/api/routes.hpp"
#include "basalt/api/sign_in_hooks_slot.hpp"
#include "basalt/app/admin_commands.hpp"
#include "basalt/app/admin_socket.hpp"
#include "basalt/app/backups_storage.hpp"
#include "basalt/app/builtin_jobs.hpp"
#include "basalt/app/cluster_links.hpp"
#include "basalt/app/file_storage.hpp"
#include "basalt/app/hook_chain.hpp"
#include "basalt/app/install_link.hpp"
#include "basalt/app/mail_delivery.hpp"
#include "basalt/app/password_hashing.hpp"
#include "basalt/app/restore_start.hpp"
#include "basalt/app/run_blocking.hpp"
#include "basalt/app/script_crons.hpp"
#include "basalt/app/serve_extension.hpp"
#include "basalt/app/storage.hpp"
#include "basalt/app/superusers.hpp"
#include "basalt/app/testing_clock.hpp"
#include "basalt/auth/authenticator.hpp"
#include "basalt/auth/database_rate_limiter.hpp"
#include "basalt/auth/memory_rate_limiter.hpp"
#include "basalt/auth/mfa_gate.hpp"
#include "basalt/auth/password_hasher.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/auth/pooled_passwords.hpp"
#include "basalt/auth/request_counters.hpp"
#include "basalt/auth/server_key.hpp"
#include "basalt/auth/sign_in_throttle.hpp"
#include "basalt/auth/totp_service.hpp"
#include "basalt/backups/backup_service.hpp"
#include "basalt/cluster/bus_url.hpp"
#include "basalt/cluster/nats_bus.hpp"
#include "basalt/cluster/pg_notify_bus.hpp"
#include "basalt/cluster/redis_bus.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/core/clock.hpp"
#include "basalt/core/database_url.hpp"
#include "basalt/events/destination_service.hpp"
#include "basalt/events/dispatcher.hpp"
#include "basalt/events/outbox_writer.hpp"
#include "basalt/files/file_service.hpp"
#include "basalt/files/local_storage.hpp"
#include "basalt/http/access_log.hpp"
#include "basalt/http/cors.hpp"
#include "basalt/http/dispatcher.hpp"
#include "basalt/http/server.hpp"
#include "basalt/jobs/cron_scheduler.hpp"
#include "basalt/logs/process_log_sink.hpp"
#include "basalt/logs/request_logger.hpp"
#include "basalt/metrics/thread_block.hpp"
#include "basalt/oauth2/oauth2_sign_in.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/scripting/hook_runner.hpp"
#include "basalt/scripting/hooks_watcher.hpp"
#include "basalt/scripting/script_engine.hpp"
#include "basalt/scripting/script_middleware.hpp"
#include "basalt/scripting/script_routes.hpp"
#include "basalt/trace/http_tracer.hpp"
#include "basalt/trace/span_exporter.hpp"
#include "basalt/trace/trace_options.hpp"

namespace basalt::app {
namespace {

// SIGUSR1 is how a staged restore asks this thread to shut the server down (backups).
constexpr int kRestoreSignal = SIGUSR1;

// Blocks SIGINT, SIGTERM and kRestoreSignal in the calling thread and every thread it starts
// afterwards, so the signals are only ever taken by wait_for_stop_signal() on this thread.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, kRestoreSignal);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int wait_for_stop_signal(const sigset_t& set) {
  int signal = 0;
  while (sigwait(&set, &signal) != 0) {
  }
  return signal;
}

// Password hashes waiting for a blocking thread; past it sign-ins get 503 instead of queueing
// without bound.
constexpr std::size_t kBlockingQueue = 256;
// OAuth2 sign-ins waiting on providers at once, and queued behind them (past it: 503).
constexpr unsigned kOAuth2Threads = 4;
constexpr std::size_t kOAuth2Queue = 64;

// PostgreSQL only: the bus the instances on one database share (docs/scaling.md, "Buses"):
// LISTEN/NOTIFY on the database, or Redis or NATS when `cluster-bus` names one. `executor` is
// the bus thread's, where its handlers run and what they start (reloads) runs.
struct ClusterBusParts {
  std::unique_ptr<cluster::ClusterBus> bus;
  boost::asio::any_io_executor executor;
};

template <typename Bus>
ClusterBusParts bus_parts(std::unique_ptr<Bus> bus) {
  boost::asio::any_io_executor executor = bus->executor();
  return {std::move(bus), std::move(executor)};
}

ClusterBusParts make_cluster_bus(const core::Config& config) {
  if (!core::is_postgres_url(config.database_url)) return {};
  if (!config.cluster_bus_url.empty()) {
    cluster::BusEndpoint endpoint;
    try {
      endpoint = cluster::parse_bus_url(config.cluster_bus_url);
    } catch (const std::invalid_argument& error) {
      throw core::ConfigError(std::string("cluster-bus: ") + error.what());
    }
    spdlog::info("cluster bus: {}", endpoint.masked());
    if (endpoint.scheme == "redis") {
      return bus_parts(std::make_unique<cluster::RedisBus>(std::move(endpoint)));
    }
    return bus_parts(std::make_unique<cluster::NatsBus>(std::move(endpoint)));
  }
  auto settings = std::make_shared<const db::postgres::ConnectionSettings>(
      db::postgres::connection_settings(config.database_url, config.db.statement_timeout));
  return bus_parts(std::make_unique<cluster::PgNotifyBus>(std::move(settings)));
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// `<data dir>/instance.id`: random hex made on the first start, the same afterwards.
std::string instance_id(const std::string& data_dir) {
  const std::filesystem::path path = std::filesystem::path(data_dir) / "instance.id";
  std::string id;
  if (std::ifstream in(path); in) std::getline(in, id);
  if (id.size() == 32) return "inst_" + id;
  std::random_device random;
  static constexpr char kHex[] = "0123456789abcdef";
  id.clear();
  for (int i = 0; i < 32; ++i) id += kHex[random() % 16];
  std::ofstream(path) << id << '\n';
  return "inst_" + id;
}

// Appends an extension's routes to the built-in table; throws std::invalid_argument naming a
// route that a built-in one would answer (same method and path, or a 405 of a built-in path),
// as script routes are refused (scripting/script_routes.hpp).
void add_extension_routes(std::vector<http::Route>& table, std::vector<http::Route> added) {
  if (added.empty()) return;
  const http::Router builtin{std::vector<http::Route>(table)};
  for (http::Route& route : added) {
    const http::RouteMatch found = builtin.match(route.method, route.path);
    if (found.handler || found.path_known) {
      throw std::invalid_argument("extension route " +
                                  std::string(http::method_name(route.method)) + " " + route.path +
                                  " clashes with a built-in route");
    }
    table.push_back(std::move(route));
  }
}

}  // namespace

int serve(const core::Config& config, ServeExtension* extension) {
  // Writes to a closed peer must fail with EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  // Before any other thread starts: every thread reads it without synchronisation.
  metrics::set_enabled(config.metrics.enabled);
  const sigset_t stop_signals = block_stop_signals();
  try {
    // Built in dependency order; destroyed in reverse when this scope ends, except storage,
    // which is closed explicitly between the workers' stop and their io_contexts' end.
    // Tests of the parts pass a ManualClock; the e2e tests may control the date through
    // testing_clock.hpp (E2E_BASALT_MANUAL_CLOCK=1 on loopback only; otherwise null).
    const std::unique_ptr<OffsetClock> controlled_clock = testing_clock(config);
    const core::Clock& clock = controlled_clock ? static_cast<const core::Clock&>(*controlled_clock)
                                                : core::system_clock();
    // Creates the data directory, finishes a staged restore, locks it, migrates.
    const std::unique_ptr<Storage> opened = open_storage(config, clock);
    Storage& storage = *opened;
    if (count_real_superusers(storage.database()) == 0) {
      // Never a default password: say how to make the first superuser instead (and, once
      // serving, print the install link: install_link.hpp).
      // On PostgreSQL the command needs the same `db` setting (flag, BASALT_DB or the TOML
      // file): the URL is not repeated here, it may hold a password.
      spdlog::warn(
          "no superuser exists yet; create one with: basalt superuser upsert EMAIL PASSWORD "
          "--dir {}{}",
          config.data_dir, config.database_url.empty() ? "" : " and the same --db");
    }
    // Traces (docs/observability.md, "Traces"): on when an OTLP endpoint is configured through
    // the OpenTelemetry environment variables; spans leave on the exporter's own thread. Made
    // before the services: the outbox's dispatcher records delivery spans too.
    std::vector<std::string> trace_warnings;
    const trace::TraceOptions trace_options =
        trace::apply_trace_settings(trace::trace_options_from_env(&trace_warnings), config.trace);
    for (const std::string& warning : trace_warnings) spdlog::warn("traces: {}", warning);
    std::optional<trace::SpanExporter> span_exporter;
    std::optional<trace::HttpTracer> tracer;
    if (trace_options.enabled()) {
      span_exporter.emplace(trace_options, trace::SpanExporter::Options{});
      tracer.emplace(trace_options, *span_exporter);
      spdlog::info("traces: exporting to {} (sampling ratio {}, {})", trace_options.endpoint,
                   trace_options.ratio, trace_options.parent_based ? "parent-based" : "root only");
    }
    core::BlockingPool blocking({config.auth.blocking_threads, kBlockingQueue});
    auth::PasswordHasher hasher(configured_argon2_params(config.auth));
    // Many instances on one PostgreSQL database (docs/scaling.md): they tell each other what
    // changed through LISTEN/NOTIFY. Started last, once everything it reaches exists.
    ClusterBusParts cluster_parts = make_cluster_bus(config);
    std::unique_ptr<cluster::ClusterBus>& cluster_bus = cluster_parts.bus;
    // Sign-in failures: in memory on SQLite; on PostgreSQL in the database, where every
    // instance spends the same buckets (auth/database_rate_limiter.hpp, docs/scaling.md).
    auto make_limiter =
        [&](const std::string& name,
            auth::MemoryRateLimiterOptions options) -> std::unique_ptr<auth::RateLimiter> {
      if (!cluster_bus) return std::make_unique<auth::MemoryRateLimiter>(options);
      return std::make_unique<auth::DatabaseRateLimiter>(storage.database(), clock, name,
                                                         options.limit);
    };
    auto failure_limit = [&](const char* name, unsigned max_failures) {
      auth::MemoryRateLimiterOptions options;
      options.limit = {max_failures, std::chrono::duration_cast<std::chrono::seconds>(
                                         config.auth.failure_window)};
      return make_limiter(name, options);
    };
    auto address_failures = failure_limit("sign-in-address", config.auth.ip_failures);
    auto address_identity_failures =
        failure_limit("sign-in-address-identity", config.auth.identity_failures);
    auth::SignInThrottle throttle(*address_failures, *address_identity_failures, clock);
    query::PlanCache plans;
    auth::PooledPasswords passwords(blocking, hasher);
    records::EventBus events;
    records::RecordService records(storage.database(), storage.collections(), plans, passwords,
                                   events, clock, config.db.user_statement_timeout,
                                   {config.expand_max_records, config.expand_max_bytes});
    // docs/files.md: local directory or settings.s3, upload spool, orphan sweep, and the drain
    // of the files collection changes dropped (started before anything can change collections).
    FileStorage files(config.data_dir, blocking, storage.settings());
    records.set_file_store(&files.store());
    // The transactional outbox (docs/events.md): record writes append the events some enabled
    // destination wants in their own transaction; the dispatcher's thread delivers them.
    events::OutboxWriter outbox_writer(storage.database().dialect(), clock);
    records.set_outbox(&outbox_writer);
    events::DestinationService destinations(storage.database(), storage.collections(), records,
                                            clock);
    run_blocking(destinations.load());
    events::DispatcherOptions dispatcher_options;
    dispatcher_options.poll_interval = config.events.poll_interval;
    dispatcher_options.thread_nice = config.events.delivery_nice;
    dispatcher_options.retry_base = config.events.retry_base;
    dispatcher_options.retry_max = config.events.retry_max;
    dispatcher_options.retention = config.events.retention;
    dispatcher_options.destinations.allow_private = config.events.allow_private;
    dispatcher_options.destinations.brokers_allow_private = config.events.brokers_allow_private;
    // The lease owner is this data directory's: a restart after a crash takes its own leases
    // back at once, and no two live instances share a directory (it is locked).
    dispatcher_options.owner = instance_id(config.data_dir);
    if (tracer) dispatcher_options.tracing = tracer->tracing();  // delivery spans
    events::Dispatcher outbox_dispatcher(storage.database(), storage.collections(), records,
                                         destinations, clock, dispatcher_options);
    // A destination changed or a redelivery asked: every destination is looked at again, those
    // waiting out a retry included.
    destinations.set_on_change([&outbox_dispatcher] { outbox_dispatcher.recheck(); });
    // A local commit of an event some destination wants wakes it at once (after the commit:
    // the bus publishes then); other instances' commits are seen by its poll.
    events.subscribe([&outbox_dispatcher, &outbox_writer](const records::RecordEvent& event) {
      if (!event.from_other_instance &&
          outbox_writer.interested(event.collection_id, event.action)) {
        outbox_dispatcher.wake();
      }
    });
    outbox_dispatcher.start();
    files.start_drain(storage.database(), storage.collections());
    auth::AuthRecordCache auth_records(config.auth.record_cache);
    auth::Authenticator authenticator(storage.database(), storage.collections(), plans, events,
                                      auth_records);
    auth::PasswordSignIn sign_in(storage.database(), storage.collections(), records, plans,
                                 blocking, hasher, throttle, clock);
    // OAuth2 (docs/oauth2.md): its outbound calls wait on providers, so they get a pool of their
    // own and never hold the threads that hash passwords or touch storage.
    core::BlockingPool oauth2_pool({kOAuth2Threads, kOAuth2Queue, metrics::Pool::kOAuth2});
    oauth2::KeyDirectory oauth2_keys(
        oauth2::OutboundPolicy{.allow_loopback_http = config.oauth2_allow_loopback_http});
    oauth2::ProviderClient oauth2_client(oauth2_keys);
    oauth2::AppleNames apple_names(clock);
    oauth2::OAuth2SignIn oauth2_sign_in(storage.database(), storage.collections(), records, plans,
                                        oauth2_pool, oauth2_client, apple_names, clock,
                                        files.spool_dir());
    // MFA and TOTP (docs/auth-flows.md): the TOTP secrets are sealed with <data dir>/server.key;
    // wrong codes count per record, 5 per 5 minutes.
    auth::MfaGate mfa(storage.database(), records, plans, clock);
    const auth::ServerKey server_key = auth::ServerKey::load_or_create(
        std::filesystem::path(config.data_dir) / auth::kServerKeyFile);
    auth::MemoryRateLimiterOptions totp_limit;
    totp_limit.limit = {5, std::chrono::minutes(5)};
    const std::unique_ptr<auth::RateLimiter> totp_attempts = make_limiter("totp", totp_limit);
    auth::TotpService totp(storage.database(), server_key, *totp_attempts, passwords, clock);
    auth::RequestCounters rate_limits;  // settings.rateLimits
    // Record events reach realtime clients through the hub (in-process today).
    realtime::LocalHub hub;
    realtime::Broker realtime(records, storage.collections(), hub, config.realtime);
    // Serving takes the backend in use once per request (files.source()).
    files::FileServiceOptions file_options;
    file_options.temp_dir = std::filesystem::path(config.data_dir) / ".tmp" / "thumbs";
    files::FileService file_service(files.source(), file_options);
    // Backups (docs/backups.md): archives in <data dir>/backups or the bucket of
    // settings.backups.s3; the files they pack come from the backend in use, and their
    // removals wait behind the gate while a backup copies them. A restore puts the archive's
    // files where the restored settings look.
    const std::filesystem::path data_dir(config.data_dir);
    BackupsStorage backups_store(data_dir, storage.settings());
    backups::BackupService backup_service(
        {.database = storage.database(),
         .backups = backups_store.source(),
         .files = files.following(),
         .gate = files.deletion_gate(),
         .settings = storage.settings(),
         .clock = clock,
         .data_dir = data_dir,
         .on_restore_staged = [] { ::kill(::getpid(), kRestoreSignal); },
         .restored_files = restored_files_store,
         .max_upload_bytes = config.max_backup_upload_bytes});
    // Mails go out on the outbox's own thread after the request (docs/auth-flows.md, "Mail").
    mail::Outbox outbox(
        {}, [&settings = storage.settings()] { return delivery_settings(*settings.current()); },
        mail::smtp_send, clock);
    accounts::AccountFlows account_flows({storage.database(), storage.collections(), records, plans,
                                          storage.settings(), passwords, outbox, clock,
                                          make_limiter});
    // GraphQL (docs/graphql.md): schemas per caller class from the catalog, queries through the
    // same rules and compiler as REST, on the read pool under the same statement budgets.
    graphql::GraphqlService graphql(storage.database(), storage.collections(), plans, clock,
                                    config.db.user_statement_timeout);
    graphql.set_record_service(&records);  // mutations write through the record service
    // Request logs (docs/observability.md, "Logs API"): auxiliary.db beside data.db, its own
    // writer; entries handed over by the workers, written in batches by the logger's thread.
    std::optional<logs::LogStore> log_store(
        std::in_place, logs::LogStoreOptions{.data_dir = config.data_dir,
                                             .statement_timeout = config.db.statement_timeout});
    logs::RequestLogger request_logger(
        *log_store,
        [&settings = storage.settings()] {
          const settings::LogsSettings& logs = settings.current()->logs;
          return logs::LogsPolicy{logs.max_days, logs.min_level, logs.log_ip, logs.log_auth_id};
        },
        // Retention at start, then on the __pbLogsCleanup__ cron job (builtin_jobs.hpp).
        clock, logs::RequestLogger::Options{.prune_interval = std::chrono::minutes(0)});
    std::optional<logs::ProcessLogForward> process_log_forward(std::in_place, request_logger);
    // Durable jobs and cron (docs/jobs.md): the `_jobs` queue run by the runner's own threads,
    // PocketBase's cron jobs on it (expired OTP/MFA rows, log retention, PRAGMA optimize,
    // automatic backups) and the sending of built mails, retried across restarts.
    std::atomic<bool> jobs_stopping{false};
    jobs::JobRunner job_runner(storage.database(), clock, {});
    jobs::CronScheduler crons(job_runner, clock);
    register_builtin_jobs({.runner = job_runner,
                           .crons = crons,
                           .database = storage.database(),
                           .records = records,
                           .collections = storage.collections(),
                           .request_logger = request_logger,
                           .backups = backup_service,
                           .settings = storage.settings(),
                           .outbox = outbox,
                           .transport = mail::smtp_send,
                           .stopping = jobs_stopping});
    job_runner.start();
    crons.start();
    query::PlanCache log_plans(256);
    api::Services services{storage.database(),
                           storage.collections(),
                           records,
                           plans,
                           sign_in,
                           storage.settings(),
                           clock,
                           authenticator,
                           realtime,
                           blocking,
                           file_service,
                           files.spool_dir(),
                           backup_service,
                           account_flows,
                           oauth2_sign_in,
                           mfa,
                           totp,
                           rate_limits,
                           graphql,
                           *log_store,
                           log_plans,
                           destinations,
                           crons,
                           job_runner.store()};
    // CLI data commands reach this server through its admin socket (admin_socket.hpp).
    AdminCommands admin_commands(storage.database(), storage.collections(), records, destinations);
    std::optional<AdminSocket> admin_socket(std::in_place, config.data_dir, admin_commands);
    http::AccessLog access_log(config.access_log, config.log_format);
    // GET /metrics and GET /api/ready (docs/observability.md) beside the API's routes.
    api::ServingState serving;
    std::vector<http::Route> table = api::routes(services);
    table.push_back({http::Method::kGet, "/api/ready", api::readiness_endpoint(services, serving)});
    table.push_back(
        {http::Method::kGet, "/metrics", api::metrics_endpoint(services, config.metrics)});
    for (http::Route& route :
         api::dashboard_routes(config.ui_dir.empty() ? api::default_dashboard_dir()
                                                     : std::filesystem::path(config.ui_dir))) {
      table.push_back(std::move(route));  // /_/: the admin dashboard (docs/dashboard.md)
    }
    // A program linking Basalt (docs/extending.md): its crons are registered and its routes
    // join the table here, refused at start when a built-in route would answer them.
    if (extension) add_extension_routes(table, extension->attach(services));
    if (controlled_clock) table.push_back(testing_clock_route(services, *controlled_clock, crons));
    http::Dispatcher dispatcher(http::Router(std::move(table)),
                                http::CorsPolicy(config.cors_origins), config.gzip_min_bytes);
    // Server-side Lua scripts (docs/hooks.md): hooks on the record service, custom routes
    // after the built-in ones, reloaded on the watcher's thread when the hooks directory
    // changes; cron jobs on the durable scheduler.
    const std::filesystem::path hooks_dir = config.hooks.dir.empty()
                                                ? std::filesystem::path(config.data_dir) / "hooks"
                                                : std::filesystem::path(config.hooks.dir);
    scripting::ScriptHost script_host{
        &clock, [&outbox, &settings = storage.settings()](mail::MailMessage message) {
          message.from = delivery_settings(*settings.current()).sender;
          auto built = std::make_shared<const mail::MailMessage>(std::move(message));
          return outbox.submit(mail::MailJob{
              "script", [built] { return std::optional<mail::MailMessage>(*built); }});
        }};
    // One switch for every server-side request to a user-given URL (webhooks, scripts' HTTP).
    scripting::HttpLimits script_http;
    script_http.allow_private = config.events.allow_private;
    scripting::ScriptEngine scripts(
        {hooks_dir, {config.hooks.memory_bytes, config.hooks.timeout}, script_http}, script_host,
        {&records, &storage.collections(), &storage.database(), &outbox_writer,
         [&outbox_dispatcher] { outbox_dispatcher.wake(); }});
    scripting::ScriptRoutes script_routes(scripts, dispatcher.router(), services);
    scripts.set_route_builder([&script_routes](const scripting::Generation& generation) {
      return script_routes.build(generation);
    });
    // basalt.cron jobs on the durable scheduler: once per cluster, listed by /api/crons.
    ScriptCrons script_crons(crons);
    scripts.set_cron_registrar(&script_crons);
    scripts.reload();
    scripting::HookRunner hook_runner(scripts);
    // An extension's hooks before the scripts' (hook_chain.hpp).
    HookChain hook_chain({extension ? extension->hooks() : nullptr, &hook_runner});
    records.set_hooks(&hook_chain);
    api::set_sign_in_hooks(&hook_runner);  // beforeSignIn / afterAuth
    dispatcher.set_dynamic_routes(&script_routes);
    scripting::ScriptMiddleware script_middleware(scripts, services);
    dispatcher.set_interceptor(&script_middleware);
    scripting::HooksWatcher hooks_watcher(scripts, std::chrono::milliseconds(100));
    hooks_watcher.start();
    http::Server server({config.http_host, config.http_port, config.threads, config.limits},
                        dispatcher, access_log, &request_logger, tracer ? &*tracer : nullptr);
    // What this instance shares with the others (cluster_links.hpp); listening before serving.
    std::unique_ptr<ClusterLinks> cluster_links;
    if (cluster_bus) {
      cluster_links = std::make_unique<ClusterLinks>(ClusterParts{
          .bus = *cluster_bus,
          .bus_executor = cluster_parts.executor,
          .database = storage.database(),
          .events = events,
          .records = records,
          .collections = storage.collections(),
          .settings = storage.settings(),
          .auth_records = auth_records,
          .events_missed = [&realtime] { realtime.close_all_streams(); },
      });
      cluster_bus->start();
    }
    files.start_sweep(storage.database(), storage.collections());
    server.start();
    serving.serving.store(true, std::memory_order_release);

    std::printf("Server started at http://%s:%u\n", url_host(config.http_host).c_str(),
                static_cast<unsigned>(server.port()));
    std::optional<std::string> install_token;
    try {
      install_token =
          issue_install_token(storage.database(), storage.collections(), admin_commands, clock);
    } catch (const std::exception& error) {
      // Not fatal: instances starting together on one PostgreSQL database race to write the
      // placeholder; the CLI path stays.
      spdlog::warn("no install link: {}", error.what());
    }
    if (const auto& token = install_token) {
      std::printf(
          "\n(!) Open this link in a browser to create the first superuser (valid %lld minutes, "
          "once):\n%s\n(or run: basalt superuser upsert EMAIL PASSWORD)\n\n",
          static_cast<long long>(kInstallLinkSeconds / 60),
          install_link(config.http_host, server.port(), *token).c_str());
    }
    std::fflush(stdout);
    spdlog::info("serving on {}:{} with {} worker threads, data in {}", config.http_host,
                 server.port(), config.threads, config.data_dir);

    int signal = wait_for_stop_signal(stop_signals);
    // kRestoreSignal from elsewhere, with no restore staged, is not a stop request.
    while (signal == kRestoreSignal && !backup_service.restore_staged()) {
      signal = wait_for_stop_signal(stop_signals);
    }
    spdlog::info("{}, shutting down (grace {} ms)",
                 signal == kRestoreSignal ? "restore staged"
                 : signal == SIGINT       ? "received SIGINT"
                                          : "received SIGTERM",
                 config.shutdown_timeout.count());
    serving.serving.store(false, std::memory_order_release);  // readiness fails while draining
    server.shutdown(config.shutdown_timeout);
    api::set_sign_in_hooks(nullptr);  // the runner goes with this scope
    realtime.stop();                  // nothing is posted to the workers' io_contexts from here on
    admin_socket.reset();             // a running command finishes before the database closes
    files.stop_sweep();               // it reads the database
    files.stop_drain();               // it reads and writes the database
    crons.stop();                     // no run is scheduled any more
    jobs_stopping.store(true);        // sweeps end at their next page, SMTP sessions are abandoned
    outbox_dispatcher.stop();         // the delivery in flight ends (bounded); leases are released
    backup_service.stop();  // a running backup is cancelled; its pools post to the workers
    outbox.stop();          // mails not yet built are dropped (and counted in the log)
    job_runner.stop();      // running jobs end and are settled; claimed ones go back
    if (span_exporter) span_exporter->stop();  // queued spans are sent (bounded by its timeout)
    process_log_forward.reset();               // before the logger it feeds
    request_logger.stop();                     // queued entries are written to auxiliary.db
    log_store.reset();  // closed while data.db still holds the directory's lock
    // Both post completions to the workers' io_contexts, which must still exist (~Server).
    blocking.shutdown();
    oauth2_pool.shutdown();
    scripts.shutdown();  // basalt.http's pool; then the scripts' cron thread
    file_service.shutdown();
    // Last before the database: nothing writes any more (the commit observer goes with the
    // links), and what the bus's handlers started ends with its io_context, whose database pool
    // closes while the database is still open.
    if (cluster_bus) {
      cluster_bus->stop();    // no handler runs from here on
      cluster_links.reset();  // no commit or event reaches the bus any more
      cluster_bus.reset();
    }
    storage.close();
    spdlog::info("stopped");
    // Stopped by SIGINT or SIGTERM, the server stays stopped even when a restore was staged
    // meanwhile: the next start swaps it in.
    if (signal != kRestoreSignal) return 0;
    // Every module is destroyed when this scope ends, before the process is replaced.
  } catch (const std::exception& error) {
    spdlog::error("startup failed: {}", error.what());
    return 1;
  }
  // A restore is staged: the swap happens at the next start (open_storage), in this process
  // image or the one a supervisor starts.
  if (!config.restore_exit) restart_in_place();
  return kExitRestoreStaged;
}

}  // namespace basalt::app
