#include "basalt/core/config_settings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

#include "basalt/core/config_values.hpp"
#include "basalt/core/database_url.hpp"

namespace basalt::core {
namespace {

// Enum spellings, in the order of the enum's enumerators (parse_choice returns the index).
constexpr std::string_view kLogFormats = "text|json";
constexpr std::string_view kLogLevels = "debug|info|warn|error";
constexpr std::size_t kMinHeaderBytes = 1024;
constexpr std::size_t kMinBodyBytes = 1024;
// libsodium's argon2id bounds below, the hasher's verification cap above
// (auth/password_hasher.hpp: kMaxArgon2Memory; core/ does not depend on auth/).
constexpr std::size_t kMinArgon2MemoryBytes = 8 * 1024;
constexpr std::size_t kMaxArgon2MemoryBytes = std::size_t{256} << 20;

// clang-format off
constexpr std::array kSettings{
  Setting{kConfigSetting, "path", "basalt.toml",
    "TOML file to read settings from; when not given, ./basalt.toml is read if it exists. "
    "Flag and environment only.",
    nullptr},
  Setting{"http", "host:port", "127.0.0.1:8090",
    "Address to listen on; port 0 picks a free port (the chosen one is printed at startup).",
    [](Config& c, std::string_view v) {
      HostPort address = parse_host_port(v);
      c.http_host = std::move(address.host);
      c.http_port = address.port;
    }},
  Setting{"dir", "path", "./basalt_data",
    "Directory that holds the database and uploaded files.",
    [](Config& c, std::string_view v) { c.data_dir = parse_path(v); }},
  Setting{"ui-dir", "path", "",
    "Directory of the built admin dashboard served at /_/ (docs/dashboard.md); empty: `ui` "
    "beside the binary's directory (build/ui for build/release/basalt).",
    [](Config& c, std::string_view v) { c.ui_dir = v.empty() ? std::string() : parse_path(v); }},
  Setting{"db", "url", "",
    "Where the data lives: empty for SQLite in <dir>/data.db, or a PostgreSQL server's URL "
    "(postgres://USER:PASSWORD@HOST:PORT/DBNAME). The data directory still holds files, "
    "server.key, backups and the admin socket (docs/postgres.md). The password is never "
    "logged.",
    [](Config& c, std::string_view v) { c.database_url = parse_database_url(v); }},
  Setting{"cluster-bus", "url", "",
    "On PostgreSQL, how instances sharing the database tell each other what changed: empty "
    "for LISTEN/NOTIFY on the database itself, redis://[:PASSWORD@]HOST[:PORT][/CHANNEL] for "
    "Redis pub/sub, or nats://[USER:PASSWORD@]HOST[:PORT][/SUBJECT] for NATS (docs/scaling.md, "
    "\"Buses\"). Every instance of a deployment must name the same bus. Ignored on SQLite. The "
    "password is never logged.",
    [](Config& c, std::string_view v) { c.cluster_bus_url = parse_cluster_bus_url(v); }},
  Setting{"db-statement-timeout", "duration", "5s",
    "Time budget of every SQL statement of superusers and of writes (guests' and users' record "
    "reads have db-user-statement-timeout); one that runs longer is stopped and its request "
    "fails with 400 (\"The query took too long to run.\").",
    [](Config& c, std::string_view v) { c.db.statement_timeout = parse_duration(v); }},
  Setting{"db-user-statement-timeout", "duration", "1s",
    "Time budget of each statement reading records for a guest or a non-superuser auth record "
    "(lists, views, expand); superusers and writes get db-statement-timeout. Past it the "
    "request fails with 400 (\"The query took too long to run.\").",
    [](Config& c, std::string_view v) { c.db.user_statement_timeout = parse_duration(v); }},
  Setting{"db-read-threads", "uint", "2",
    "Threads (each with its own read connection) that run the reads whose cost depends on the "
    "data: every records list page and its count, and back-relation expands. Reads of records "
    "by id stay on the worker threads. At least 1, at most 64.",
    [](Config& c, std::string_view v) {
      c.db.read_threads = static_cast<unsigned>(parse_uint(v, 1, 64));
    }},
  Setting{"db-read-queue", "uint", "256",
    "Reads waiting for a db-read-threads thread; past it a list request gets 503. On "
    "PostgreSQL: statements and write jobs waiting, per worker thread, for one of its "
    "db-pool-size connections.",
    [](Config& c, std::string_view v) {
      c.db.read_queue = static_cast<std::size_t>(parse_uint(v, 1, 1'000'000));
    }},
  Setting{"db-cache-size", "size", "4MiB",
    "SQLite page cache of each database connection (one per worker thread and read thread, "
    "plus the writer): private memory. Reads go through db-mmap-size instead; the writer's "
    "cache holds the pages it changes (docs/storage.md, \"Memory\").",
    [](Config& c, std::string_view v) { c.db.cache_bytes = parse_size(v, 0); }},
  Setting{"db-mmap-size", "size", "256MiB",
    "Bytes of the database file each connection reads through memory mapping (SQLite caps "
    "it at about 2GiB); 0 turns memory mapping off.",
    [](Config& c, std::string_view v) { c.db.mmap_bytes = parse_size(v, 0); }},
  Setting{"db-pool-size", "uint", "4",
    "PostgreSQL: connections each worker thread keeps to the server at most, opened when first "
    "needed (docs/postgres.md). Requests past them wait, up to db-read-queue per worker; past "
    "that they get 503. At least 1, at most 64.",
    [](Config& c, std::string_view v) {
      c.db.pool_size = static_cast<std::size_t>(parse_uint(v, 1, 64));
    }},
  Setting{"db-trace-statements", "bool", "false",
    "SQLite: log the text of every SQL statement as it starts, one \"sql: …\" line at info "
    "level (placeholders only, never the values bound to them), on every connection: for "
    "counting the statements a request runs (bench/graphql/nested_vs_rest.sh) and for "
    "debugging. Slows every statement; keep it off in production.",
    [](Config& c, std::string_view v) { c.db.trace_statements = parse_bool(v); }},
  Setting{"auth-ip-failures", "uint", "20",
    "Failed sign-in attempts a client address may make per auth-failure-window, whatever "
    "identities they name, before that address gets 429 with Retry-After; 0 turns the limit "
    "off.",
    [](Config& c, std::string_view v) {
      c.auth.ip_failures = static_cast<unsigned>(parse_uint(v, 0, 1'000'000));
    }},
  Setting{"auth-identity-failures", "uint", "5",
    "Failed sign-in attempts per identity (e.g. an email) from one client address per "
    "auth-failure-window before that address gets 429 for that identity; other addresses are "
    "not affected. 0 turns the limit off.",
    [](Config& c, std::string_view v) {
      c.auth.identity_failures = static_cast<unsigned>(parse_uint(v, 0, 1'000'000));
    }},
  Setting{"auth-failure-window", "duration", "1m",
    "The window of the sign-in failure limits.",
    [](Config& c, std::string_view v) { c.auth.failure_window = parse_duration(v); }},
  Setting{"auth-record-cache", "uint", "2048",
    "Auth records each worker thread keeps after verifying a token, so that authenticated "
    "requests skip the database read (the token is still checked every time; an update, a "
    "delete or a collection change drops an entry at once). 0 turns the cache off.",
    [](Config& c, std::string_view v) {
      c.auth.record_cache = static_cast<std::size_t>(parse_uint(v, 0, 1'000'000));
    }},
  Setting{"auth-argon2-memory", "size", "32MiB",
    "Memory of each argon2id password hash (sign-ups, sign-ins, password changes): 8KiB to "
    "256MiB, a multiple of 1KiB. Hashes stored with other parameters still verify and are "
    "replaced with this cost at their user's next sign-in. Below OWASP's minimum configurations "
    "(e.g. 19MiB with 2 passes) the server warns at startup: only tests should go that low "
    "(docs/security.md, \"Passwords\").",
    [](Config& c, std::string_view v) {
      const std::size_t bytes = parse_size(v, kMinArgon2MemoryBytes);
      if (bytes > kMaxArgon2MemoryBytes || bytes % 1024 != 0) {
        throw ConfigError(fmt::format("\"{}\" is not 8KiB to 256MiB in whole KiB", v));
      }
      c.auth.argon2_memory_bytes = bytes;
    }},
  Setting{"auth-argon2-passes", "uint", "3",
    "Passes over memory of each argon2id password hash, 1 to 16 (see auth-argon2-memory).",
    [](Config& c, std::string_view v) {
      c.auth.argon2_passes = static_cast<unsigned>(parse_uint(v, 1, 16));
    }},
  Setting{"blocking-threads", "uint", "2",
    "Threads for CPU-heavy work such as password hashing (each argon2id hash holds "
    "auth-argon2-memory). At least 1.",
    [](Config& c, std::string_view v) {
      c.auth.blocking_threads = static_cast<unsigned>(parse_uint(v, 1, 64));
    }},
  Setting{"threads", "uint", "0",
    "Worker threads; 0 means one per CPU core. At most 256.",
    [](Config& c, std::string_view v) {
      c.threads = static_cast<unsigned>(parse_uint(v, 0, kMaxThreads));
    }},
  Setting{"log-format", kLogFormats, "text",
    "Log lines on stderr as human-readable text or as one JSON object per line.",
    [](Config& c, std::string_view v) {
      c.log_format = static_cast<LogFormat>(parse_choice(v, kLogFormats));
    }},
  Setting{"log-level", kLogLevels, "info",
    "Lowest severity that is logged.",
    [](Config& c, std::string_view v) {
      c.log_level = static_cast<LogLevel>(parse_choice(v, kLogLevels));
    }},
  Setting{"access-log", "bool", "true",
    "Log one line per HTTP request.",
    [](Config& c, std::string_view v) { c.access_log = parse_bool(v); }},
  Setting{"metrics", "bool", "true",
    "Count requests, database work, streams and caches, and serve them at GET /metrics "
    "(docs/observability.md); false counts nothing and /metrics answers 404.",
    [](Config& c, std::string_view v) { c.metrics.enabled = parse_bool(v); }},
  Setting{"metrics-token", "token", "",
    "A bearer token that may read GET /metrics (Authorization: Bearer TOKEN, compared in "
    "constant time); empty for none. Superusers' tokens are always accepted. Keep it out of "
    "basalt.toml files others can read; BASALT_METRICS_TOKEN works too.",
    [](Config& c, std::string_view v) { c.metrics.token = parse_token(v); }},
  Setting{"metrics-allow", kListType, "",
    "Client addresses or CIDR subnets (the TCP peer, not X-Forwarded-For) that may read "
    "GET /metrics without a token, e.g. 127.0.0.1/32,10.0.0.0/8; empty for none.",
    [](Config& c, std::string_view v) { c.metrics.allow = parse_address_list(v); }},
  Setting{"trace-endpoint", "http-url", "",
    "The OTLP/HTTP (JSON) URL spans are POSTed to, e.g. http://collector:4318/v1/traces; "
    "empty: the OpenTelemetry variables OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and "
    "OTEL_EXPORTER_OTLP_ENDPOINT decide, and with neither tracing is off "
    "(docs/observability.md, \"Traces\"). A change needs a restart.",
    [](Config& c, std::string_view v) {
      c.trace.endpoint = v.empty() ? std::string() : parse_http_url(v);
    }},
  Setting{"trace-sample-ratio", "ratio", "",
    "Share of new traces sampled, 0 to 1 (0.01: one request in a hundred); a request that "
    "continues a caller's trace follows the caller's sampled flag. Empty: OTEL_TRACES_SAMPLER "
    "and OTEL_TRACES_SAMPLER_ARG decide (default: every trace).",
    [](Config& c, std::string_view v) { c.trace.sample_ratio = v.empty() ? -1 : parse_ratio(v); }},
  Setting{"oauth2-allow-loopback-http", "bool", "false",
    "Let OAuth2 providers be reached over plain http when their host is a loopback address (127.0.0.0/8, ::1, localhost). For tests against a local OpenID provider; never in production.",
    [](Config& c, std::string_view v) { c.oauth2_allow_loopback_http = parse_bool(v); }},
  Setting{"webhooks-allow-private", "bool", "false",
    "Let webhooks and the Lua scripts' basalt.http.request reach loopback, private (RFC 1918, "
    "fc00::/7), link-local (the cloud metadata address included), CGNAT and other internal "
    "addresses (docs/events.md, docs/hooks.md). For tests; never in production.",
    [](Config& c, std::string_view v) { c.events.allow_private = parse_bool(v); }},
  Setting{"brokers-allow-private", "bool", "false",
    "Let broker destinations (RabbitMQ, NATS, Redis) reach loopback, private (RFC 1918, "
    "fc00::/7), link-local, CGNAT and other internal addresses (docs/brokers.md). Brokers "
    "usually live on a private network: turn it on there.",
    [](Config& c, std::string_view v) { c.events.brokers_allow_private = parse_bool(v); }},
  Setting{"events-retention", "duration", "72h",
    "How long outbox events delivered to every destination, and delivery log rows, are kept.",
    [](Config& c, std::string_view v) { c.events.retention = parse_duration(v); }},
  Setting{"events-poll-interval", "duration", "1s",
    "Longest wait of the outbox dispatcher between passes (local commits wake it at once; "
    "other instances' commits are seen within this).",
    [](Config& c, std::string_view v) { c.events.poll_interval = parse_duration(v); }},
  Setting{"events-delivery-nice", "uint", "10",
    "Scheduling niceness (0-19) of the outbox's dispatcher and delivery threads: above 0 they "
    "yield the CPU to requests when it is saturated, so deliveries fall behind (their lag "
    "grows) instead of slowing the writes; 0 shares it equally (docs/events.md, \"Cost\").",
    [](Config& c, std::string_view v) {
      c.events.delivery_nice = static_cast<int>(parse_uint(v, 0, 19));
    }},
  Setting{"events-retry-base", "duration", "1s",
    "Delay before the first retry of a failed delivery; each further retry doubles it (with "
    "jitter), up to events-retry-max.",
    [](Config& c, std::string_view v) { c.events.retry_base = parse_duration(v); }},
  Setting{"events-retry-max", "duration", "5m",
    "Longest delay between two retries of a failed delivery (the doubling stops there). "
    "Shorter picks a recovered destination up sooner, at the cost of more attempts.",
    [](Config& c, std::string_view v) { c.events.retry_max = parse_duration(v); }},
  Setting{"max-header-bytes", "size", "16KiB",
    "Largest request line plus headers; a bigger request gets 431. At least 1KiB.",
    [](Config& c, std::string_view v) {
      c.limits.max_header_bytes = parse_size(v, kMinHeaderBytes);
    }},
  Setting{"max-body-bytes", "size", "32MiB",
    "Largest request body; a bigger body gets 413. At least 1KiB.",
    [](Config& c, std::string_view v) { c.limits.max_body_bytes = parse_size(v, kMinBodyBytes); }},
  Setting{"max-upload-body-bytes", "size", "1GiB",
    "Upper bound of a multipart record write or batch body; each route's own limit (from the collection's file fields, or the batch settings) applies below it. File parts stream to disk, so this bounds disk use, not memory. At least 1KiB.",
    [](Config& c, std::string_view v) {
      c.limits.max_upload_body_bytes = parse_size(v, kMinBodyBytes);
    }},
  Setting{"max-backup-upload-bytes", "size", "8GiB",
    "Largest body of POST /api/backups/upload (one backup archive, with its multipart framing); a bigger one gets 413. The archive streams to a temporary file in the data directory and is checked before it is stored, so this bounds disk use, not memory. At least 1KiB.",
    [](Config& c, std::string_view v) {
      c.max_backup_upload_bytes = parse_size(v, kMinBodyBytes);
    }},
  Setting{"max-upload-spool-bytes", "size", "4GiB",
    "Upper bound of the file parts being received at once by all multipart requests together, in <data dir>/uploads_tmp. A request whose file parts would pass it gets 503 with Retry-After and keeps nothing; the others go on. A superuser's backup upload (max-backup-upload-bytes) is bounded by its own limit instead. At least 1KiB.",
    [](Config& c, std::string_view v) {
      c.limits.max_upload_spool_bytes = parse_size(v, kMinBodyBytes);
    }},
  Setting{"header-timeout", "duration", "10s",
    "Time allowed from a request's first byte to the end of its headers.",
    [](Config& c, std::string_view v) { c.limits.header_timeout = parse_duration(v); }},
  Setting{"body-timeout", "duration", "120s",
    "Time allowed from the end of the headers to the end of the body.",
    [](Config& c, std::string_view v) { c.limits.body_timeout = parse_duration(v); }},
  Setting{"idle-timeout", "duration", "60s",
    "How long a keep-alive connection may wait for its next request.",
    [](Config& c, std::string_view v) { c.limits.idle_timeout = parse_duration(v); }},
  Setting{"write-timeout", "duration", "30s",
    "Time allowed to write one response.",
    [](Config& c, std::string_view v) { c.limits.write_timeout = parse_duration(v); }},
  Setting{"shutdown-timeout", "duration", "10s",
    "On SIGINT or SIGTERM, how long in-flight requests may still run before the server stops.",
    [](Config& c, std::string_view v) { c.shutdown_timeout = parse_duration(v); }},
  Setting{"restore-exit", "bool", "false",
    "After POST /api/backups/{key}/restore, exit with code 75 once shut down, for a supervisor "
    "to start the server again on the restored data; false restarts the process in place "
    "(docs/backups.md).",
    [](Config& c, std::string_view v) { c.restore_exit = parse_bool(v); }},
  Setting{"max-connections", "uint", "10000",
    "Open connections allowed; past it a new connection gets 503. At least 1.",
    [](Config& c, std::string_view v) {
      c.limits.max_connections = parse_uint(v, 1, std::numeric_limits<unsigned>::max());
    }},
  Setting{"cors-origins", kListType, "*",
    "Origins allowed by CORS: * for any, or origins such as https://example.com; "
    "empty turns CORS off.",
    [](Config& c, std::string_view v) { c.cors_origins = parse_origins(v); }},
  Setting{"gzip-min-bytes", "size", "1KiB",
    "JSON responses at least this big are gzip-compressed when the client accepts gzip.",
    [](Config& c, std::string_view v) { c.gzip_min_bytes = parse_size(v, 0); }},
  Setting{"hooks-dir", "path", "",
    "Directory of the Lua hook scripts (*.lua, docs/hooks.md), watched and reloaded on change; "
    "empty means <dir>/hooks.",
    [](Config& c, std::string_view v) { c.hooks.dir = v.empty() ? std::string() : parse_path(v); }},
  Setting{"hooks-memory-mb", "uint", "64",
    "Memory one worker's Lua state may hold, in MiB; a call that needs more ends with 500. "
    "From 4 to 4096.",
    [](Config& c, std::string_view v) {
      c.hooks.memory_bytes = std::size_t{parse_uint(v, 4, 4096)} << 20;
    }},
  Setting{"hooks-timeout-ms", "uint", "1000",
    "Lua run time one hook or custom route call may take, in milliseconds (time waiting for a "
    "service it called is not counted); past it the call ends with 500. From 1 to 60000.",
    [](Config& c, std::string_view v) {
      c.hooks.timeout = std::chrono::milliseconds(parse_uint(v, 1, 60000));
    }},
  Setting{"expand-max-records", "uint", "5000",
    "Related records one request may return through expand, each counted as often as it "
    "appears; past it the request gets 400. At least 1.",
    [](Config& c, std::string_view v) {
      c.expand_max_records = parse_uint(v, 1, std::numeric_limits<unsigned>::max());
    }},
  Setting{"expand-max-bytes", "size", "32MiB",
    "Estimated JSON size of a response with expanded records; past it the request gets 400. "
    "At least 1KiB.",
    [](Config& c, std::string_view v) { c.expand_max_bytes = parse_size(v, 1024); }},
  Setting{"realtime-max-clients", "uint", "20000",
    "Realtime (server-sent event) streams open at once; past it GET /api/realtime gets 503. "
    "Each stream is also a connection of max-connections. At least 1.",
    [](Config& c, std::string_view v) {
      c.realtime.max_clients = parse_uint(v, 1, std::numeric_limits<unsigned>::max());
    }},
  Setting{"realtime-send-buffer", "size", "512KiB",
    "Messages waiting to be written to one realtime client; a client that falls further behind "
    "is disconnected (the SDK reconnects and subscribes again). At least 1KiB.",
    [](Config& c, std::string_view v) { c.realtime.send_buffer = parse_size(v, 1024); }},
  Setting{"realtime-idle-timeout", "duration", "5m",
    "A realtime stream that was sent no message for this long is closed.",
    [](Config& c, std::string_view v) { c.realtime.idle_timeout = parse_duration(v); }},
  Setting{"realtime-max-lifetime", "duration", "30m",
    "Every realtime stream is closed this long after it opened; the SDK reconnects and "
    "subscribes again.",
    [](Config& c, std::string_view v) { c.realtime.max_lifetime = parse_duration(v); }},
  Setting{"realtime-flush-interval", "duration", "20ms",
    "Each worker thread writes realtime messages in passes that start at least this far apart: "
    "under a stream of events a client gets one write per pass carrying every message since its "
    "last one; a message after a quiet spell leaves at once. Bounds the writes per client per "
    "second. 0 starts a pass as soon as the previous one ends.",
    [](Config& c, std::string_view v) { c.realtime.flush_interval = parse_duration(v, true); }},
};

constexpr std::array kValueTypes{
  ValueType{"host:port",
    "`IPV4:PORT` or `[IPV6]:PORT`, e.g. `127.0.0.1:8090`, `0.0.0.0:8090`, `[::1]:8090`. The "
    "host must be an IP address (no name lookup); the port is 0 to 65535."},
  ValueType{"path",
    "A file or directory path, relative to the working directory; must not be empty."},
  ValueType{"url",
    "Empty, or `postgres://[USER[:PASSWORD]@]HOST[:PORT]/DBNAME[?PARAM=VALUE&...]` "
    "(`postgresql://` too; libpq's parameters such as `sslmode`), at most 4096 bytes, "
    "percent-encoded where a part holds `@`, `:` or `/`."},
  ValueType{"http-url",
    "Empty, or an `http://` or `https://` URL naming a host, at most 2048 printable characters "
    "without spaces, e.g. `http://collector:4318/v1/traces`."},
  ValueType{"uint", "A whole number, e.g. `8`."},
  ValueType{"ratio",
    "Empty, or a plain decimal number from 0 to 1, e.g. `0.01`, `1` (no sign or exponent)."},
  ValueType{"token",
    "Empty, or 16 to 256 printable ASCII characters without spaces. A secret: error messages "
    "never quote it."},
  ValueType{"bool", "`true`/`false`, `yes`/`no` or `1`/`0`, any case; in TOML also a boolean."},
  ValueType{"size",
    "Bytes: a whole number with an optional unit `B`, `KiB`, `MiB` or `GiB` (powers of 1024, "
    "any case), e.g. `16KiB`. `KB`/`MB`/`GB` are rejected rather than guessed at. In TOML an "
    "integer means bytes."},
  ValueType{"duration",
    "A whole number with a unit `ms`, `s`, `m` or `h`, e.g. `500ms`, `30s`, `2m`; no unit "
    "means seconds; must be above zero. In TOML an integer means seconds."},
  ValueType{kListType,
    "Comma-separated entries, spaces around commas ignored; in TOML an array of strings or "
    "one comma-separated string."},
};
// clang-format on

std::string normalized(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c == '_') c = '-';
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Markdown table cells: '|' would end the cell, even inside a code span.
std::string escape_cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::span<const Setting> config_settings() {
  return kSettings;
}

std::span<const ValueType> value_types() {
  return kValueTypes;
}

const Setting* find_setting(std::string_view name) {
  for (const Setting& setting : kSettings) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

std::string env_var_name(std::string_view setting_name) {
  std::string out(kEnvPrefix);
  for (char c : setting_name) {
    if (c == '-') c = '_';
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out += c;
  }
  return out;
}

std::optional<std::string_view> closest_setting(std::string_view unknown_name) {
  constexpr std::size_t kMaxEdits = 2;
  std::string_view best = nearest_setting(unknown_name);
  if (edit_distance(normalized(unknown_name), best) > kMaxEdits) return std::nullopt;
  return best;
}

std::string_view nearest_setting(std::string_view unknown_name) {
  std::string wanted = normalized(unknown_name);
  std::string_view best = kSettings.front().name;
  std::size_t best_distance = edit_distance(wanted, best);
  for (const Setting& setting : kSettings) {
    std::size_t distance = edit_distance(wanted, setting.name);
    if (distance < best_distance) {
      best = setting.name;
      best_distance = distance;
    }
  }
  return best;
}

std::string settings_markdown() {
  std::string out = "### Value syntax\n\n| Type | Syntax |\n|---|---|\n";
  for (const ValueType& type : kValueTypes) {
    out += fmt::format("| {} | {} |\n", type.name, type.syntax);
  }
  out += "| `a\\|b` | One of the listed words, any case. |\n";
  out += "\n### Settings\n\n";
  out += "| Flag | Environment variable | TOML key | Type | Default | Description |\n";
  out += "|---|---|---|---|---|---|\n";
  for (const Setting& setting : kSettings) {
    std::string toml_key =
        setting.set == nullptr ? std::string("—") : fmt::format("`{}`", setting.name);
    // An empty default (`db`) would print as an empty code span.
    std::string default_cell = setting.default_text.empty()
                                   ? std::string("empty")
                                   : fmt::format("`{}`", setting.default_text);
    out += fmt::format("| `--{}` | `{}` | {} | {} | {} | {} |\n", setting.name,
                       env_var_name(setting.name), toml_key, escape_cell(setting.type),
                       default_cell, setting.doc);
  }
  return out;
}

}  // namespace basalt::core
