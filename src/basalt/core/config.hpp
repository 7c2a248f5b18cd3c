// The server's configuration: one struct, filled from one settings table (config_settings.cpp) by
// four sources in order of precedence: command-line flag > BASALT_* environment variable >
// basalt.toml > built-in default.
//
// Contract:
// - Every setting has exactly one row in the table (name, type, default, doc). The flag is
//   `--<name>`, the environment variable is `BASALT_<NAME>` with '-' -> '_', the TOML key is
//   `<name>`. `basalt serve --help` and docs/configuration.md are generated from the same rows.
// - An unknown flag or TOML key, or a bad value, stops startup with a ConfigError whose message
//   names the key and its source. An unknown BASALT_* variable only adds a warning: platforms
//   set variables of their own under the prefix (Kubernetes: BASALT_PORT, BASALT_SERVICE_HOST
//   for a Service named basalt), and refusing to start over them would break deployments.
// - A Config is immutable after load; it is safe to read from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace basalt::core {

enum class LogFormat { kText, kJson };
enum class LogLevel { kDebug, kInfo, kWarn, kError };

struct HttpLimits {
  std::size_t max_header_bytes = 0;  // request line + headers; past it -> 431
  std::size_t max_body_bytes = 0;    // past it -> 413
  // A multipart body of a route taking uploads: its route sets the limit (PocketBase's, from
  // the collection's file fields), never above this; file parts go to disk (docs/files.md).
  std::size_t max_upload_body_bytes = 0;
  // The file parts being received by every request together (http/spool_budget.hpp); past
  // it a request gets 503 and keeps nothing.
  std::size_t max_upload_spool_bytes = 0;
  std::chrono::milliseconds header_timeout{};  // first byte of a request to end of its headers
  std::chrono::milliseconds body_timeout{};    // end of headers to end of body
  std::chrono::milliseconds idle_timeout{};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{};   // one response write
  std::size_t max_connections = 0;             // past it -> 503 + Retry-After, then close
};

// The storage engine's tunables (the SQLite driver's pragmas and its statement time budget).
struct DatabaseConfig {
  std::chrono::milliseconds statement_timeout{};  // every SQL statement's budget; past it -> 400
  // The budget of the record reads of guests and non-superuser auth records (shorter).
  std::chrono::milliseconds user_statement_timeout{};
  unsigned read_threads = 0;    // the read pool: threads running filtered lists and counts
  std::size_t read_queue = 0;   // pooled reads waiting for a thread; past it -> 503
  std::size_t cache_bytes = 0;  // page cache of each connection (one per worker + the writer)
  std::size_t mmap_bytes = 0;   // bytes each connection reads through mmap; 0 = off
  std::size_t pool_size = 0;    // PostgreSQL: connections per worker thread at most
  // SQLite: log each statement's text as it starts (db-trace-statements).
  bool trace_statements = false;
};

struct AuthConfig {
  unsigned ip_failures = 0;        // failed auth attempts per client IP per window; 0 = no limit
  unsigned identity_failures = 0;  // failed attempts per identity per window; 0 = no limit
  std::chrono::milliseconds failure_window{};
  unsigned blocking_threads = 0;  // threads hashing passwords (the blocking pool)
  std::size_t record_cache = 0;   // auth records per worker thread (AuthRecordCache); 0 = off
  // argon2id cost of new password hashes (auth/password_hasher.hpp); stored hashes made with
  // other values are replaced at their user's next sign-in.
  std::size_t argon2_memory_bytes = std::size_t{32} << 20;  // a multiple of 1 KiB
  unsigned argon2_passes = 3;
};

// Server-sent event streams of /api/realtime (docs/realtime.md).
struct RealtimeConfig {
  std::size_t max_clients = 0;               // open streams; past it GET /api/realtime gets 503
  std::size_t send_buffer = 0;               // bytes queued for one client before it is dropped
  std::chrono::milliseconds idle_timeout{};  // a stream with no message for this long ends
  std::chrono::milliseconds max_lifetime{};  // every stream ends after this long
  // A client written to less than this long ago gets its next messages together at the end of
  // the window (0: every batch at once): bounds writes per client per second.
  std::chrono::milliseconds flush_interval{};
};

// GET /metrics (docs/observability.md, "Access").
struct MetricsConfig {
  bool enabled = true;             // off: nothing is counted and /metrics answers 404
  std::string token;               // a bearer token that may scrape; empty: none (a secret)
  std::vector<std::string> allow;  // client addresses or CIDR subnets that may scrape
};

// Traces (docs/observability.md, "Traces"): Basalt's own settings, which win over the
// OpenTelemetry environment variables (trace/trace_options.hpp, apply_trace_settings).
struct TraceConfig {
  std::string endpoint;      // OTLP/HTTP traces URL; empty: OTEL_EXPORTER_OTLP_* decide
  double sample_ratio = -1;  // 0..1 (parent-based); negative: OTEL_TRACES_SAMPLER* decide
};

// The outbox and its webhooks (docs/events.md, "Configuration").
struct EventsConfig {
  // Webhooks may reach loopback, private, link-local and other internal addresses (tests).
  bool allow_private = false;
  // Broker destinations may reach them too (docs/brokers.md, "Addresses").
  bool brokers_allow_private = false;
  std::chrono::milliseconds retention{std::chrono::hours(72)};  // delivered events, the log
  std::chrono::milliseconds poll_interval{1000};       // how soon other instances' commits are seen
  std::chrono::milliseconds retry_base{1000};          // the first retry's delay (doubling)
  std::chrono::milliseconds retry_max{5 * 60 * 1000};  // the longest retry delay
  int delivery_nice = 10;  // the dispatcher's and delivery threads' niceness (0..19)
};

// Server-side Lua scripts (docs/hooks.md).
struct HooksConfig {
  std::string dir;  // empty: <data_dir>/hooks
  std::size_t memory_bytes = std::size_t{64} << 20;
  std::chrono::milliseconds timeout{1000};
};

struct Config {
  std::string http_host;        // listen address, e.g. "127.0.0.1"
  std::uint16_t http_port = 0;  // 0 = any free port (the chosen one is announced on stdout)
  std::string data_dir;         // holds data.db (SQLite), the lock file, files, server.key
  std::string ui_dir;           // the built dashboard served at /_/; empty: beside the binary
  // Empty: SQLite in data_dir. Otherwise a PostgreSQL URL (database_url.hpp); it may hold a
  // password, so it is only ever logged through masked_database_url().
  std::string database_url;
  // On PostgreSQL: empty for LISTEN/NOTIFY on the database, or a redis:// or nats:// URL
  // (docs/scaling.md, "Buses"). May hold a password: logged only masked.
  std::string cluster_bus_url;
  DatabaseConfig db;
  AuthConfig auth;
  unsigned threads = 0;  // worker threads; 0 in the table means "one per core" and is resolved
  HttpLimits limits;
  // POST /api/backups/upload: the largest multipart body (one archive); spooled to disk.
  std::uint64_t max_backup_upload_bytes = 0;
  std::chrono::milliseconds shutdown_timeout{};  // grace period for in-flight requests
  std::vector<std::string> cors_origins;         // "*" or exact origins
  std::size_t gzip_min_bytes = 0;                // JSON bodies at least this big get gzip
  std::uint64_t expand_max_records = 0;          // records one request may write through expand
  std::size_t expand_max_bytes = 0;              // estimated bytes of an expanded response
  RealtimeConfig realtime;
  MetricsConfig metrics;
  TraceConfig trace;
  HooksConfig hooks;
  bool access_log = true;
  LogFormat log_format = LogFormat::kText;
  LogLevel log_level = LogLevel::kInfo;
  bool restore_exit = false;  // after a staged restore: exit 75 instead of restarting in place
  // OAuth2 providers may be reached over plain http on a loopback address (tests only:
  // docs/oauth2.md); otherwise every outbound OAuth2 call is https.
  bool oauth2_allow_loopback_http = false;
  EventsConfig events;
};

// A setting that could not be read: the message names the key and where it came from.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace basalt::core
