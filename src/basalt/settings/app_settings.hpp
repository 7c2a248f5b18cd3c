// AppSettings: the application settings a superuser edits at runtime through /api/settings
// (docs/settings.md), typed, with PocketBase's defaults (core/settings_model.go
// newDefaultSettings). They are stored as one JSON document in `_params` (see
// settings_service.hpp); the server configuration that needs a restart lives in core::Config
// instead.
//
// Every section declares its JSON members once, in `visit`, in the order Go declares the
// struct fields: readers, writers and therefore the wire order all come from that one list.
//
// Invariants:
//  1. The member initializers below are the defaults; a fresh AppSettings{} is what a
//     database without a stored `settings` row serves.
//  2. `visit` lists every member exactly once. Visitors see four kinds of member:
//     field(key, scalar or string list), secret(key, string) — never sent to clients —,
//     section(key, nested section) and list(key, vector of sections).
// Plain values: no synchronization; share them as std::shared_ptr<const AppSettings>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::settings {

// SMTP delivery of the emails auth flows send (stored only; Basalt has no mailer yet).
struct SmtpSettings {
  bool enabled = false;
  std::int64_t port = 587;
  std::string host = "smtp.example.com";
  std::string username;
  std::string password;     // secret
  std::string auth_method;  // "PLAIN" (used when empty) or "LOGIN"
  bool tls = false;         // implicit TLS; false means STARTTLS when the server offers it
  std::string local_name;   // EHLO/HELO name; "localhost" when empty

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("enabled", self.enabled);
    visitor.field("port", self.port);
    visitor.field("host", self.host);
    visitor.field("username", self.username);
    visitor.secret("password", self.password);
    visitor.field("authMethod", self.auth_method);
    visitor.field("tls", self.tls);
    visitor.field("localName", self.local_name);
  }
};

// An S3-compatible bucket, for uploaded files (`s3`) or for backups (`backups.s3`).
struct S3Settings {
  bool enabled = false;
  std::string bucket;
  std::string region;
  std::string endpoint;
  std::string access_key;
  std::string secret;  // secret
  bool force_path_style = false;

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("enabled", self.enabled);
    visitor.field("bucket", self.bucket);
    visitor.field("region", self.region);
    visitor.field("endpoint", self.endpoint);
    visitor.field("accessKey", self.access_key);
    visitor.secret("secret", self.secret);
    visitor.field("forcePathStyle", self.force_path_style);
  }
};

struct BackupsSettings {
  std::string cron;                // 5-field cron expression or macro; "" = no automatic backups
  std::int64_t cron_max_keep = 3;  // automatic backups kept
  S3Settings s3;

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("cron", self.cron);
    visitor.field("cronMaxKeep", self.cron_max_keep);
    visitor.section("s3", self.s3);
  }
};

struct MetaSettings {
  std::string accent_color = "#1055c9";  // admin UI accent colour
  std::string app_name = "Acme";
  std::string app_url = "http://localhost:8090";
  std::string sender_name = "Support";
  std::string sender_address = "support@example.com";
  bool hide_controls = false;  // hides the admin UI's collection editing controls

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("accentColor", self.accent_color);
    visitor.field("appName", self.app_name);
    visitor.field("appURL", self.app_url);
    visitor.field("senderName", self.sender_name);
    visitor.field("senderAddress", self.sender_address);
    visitor.field("hideControls", self.hide_controls);
  }
};

// Who a rate limit rule counts: "" everyone, "@guest" or "@auth".
inline constexpr std::string_view kAudienceAll = "";
inline constexpr std::string_view kAudienceGuest = "@guest";
inline constexpr std::string_view kAudienceAuth = "@auth";

struct RateLimitRule {
  // A tag ("users:create", "*:auth", "name"), an exact path ("/api/batch") or a path prefix
  // ending in '/' ("/api/"), optionally after a method ("POST /api/").
  std::string label;
  std::string audience;
  std::int64_t duration = 0;      // seconds per window
  std::int64_t max_requests = 0;  // requests allowed per window

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("label", self.label);
    visitor.field("audience", self.audience);
    visitor.field("duration", self.duration);
    visitor.field("maxRequests", self.max_requests);
  }

  friend bool operator==(const RateLimitRule&, const RateLimitRule&) = default;
};

struct RateLimitSettings {
  std::vector<RateLimitRule> rules = {
      {"*:auth", "", 3, 2},
      {"*:create", "", 5, 20},
      {"/api/batch", "", 1, 3},
      {"/api/", "", 10, 300},
  };
  std::vector<std::string> excluded_ips;  // IPs or CIDR subnets never limited
  bool enabled = false;

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.list("rules", self.rules);
    visitor.field("excludedIPs", self.excluded_ips);
    visitor.field("enabled", self.enabled);
  }
};

struct TrustedProxySettings {
  std::vector<std::string> headers;  // e.g. "X-Forwarded-For"; empty = use the peer address
  bool use_leftmost_ip = false;

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("headers", self.headers);
    visitor.field("useLeftmostIP", self.use_leftmost_ip);
  }
};

// POST /api/batch limits (docs/records.md, "Batch").
struct BatchSettings {
  // The body limit when max_body_size is 0 (apis/batch.go).
  static constexpr std::int64_t kDefaultMaxBodySize = std::int64_t{128} << 20;

  bool enabled = false;
  std::int64_t max_requests = 50;  // sub-requests per batch
  std::int64_t timeout = 3;        // seconds for the whole batch transaction
  std::int64_t max_body_size = 0;  // bytes; 0 = kDefaultMaxBodySize

  std::int64_t effective_max_body_size() const noexcept {
    return max_body_size > 0 ? max_body_size : kDefaultMaxBodySize;
  }

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("enabled", self.enabled);
    visitor.field("maxRequests", self.max_requests);
    visitor.field("timeout", self.timeout);
    visitor.field("maxBodySize", self.max_body_size);
  }
};

struct LogsSettings {
  std::int64_t max_days = 5;   // request log retention; 0 disables request logs
  std::int64_t min_level = 0;  // slog level: -4 debug, 0 info, 4 warn, 8 error
  bool log_ip = true;
  bool log_auth_id = false;

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("maxDays", self.max_days);
    visitor.field("minLevel", self.min_level);
    visitor.field("logIP", self.log_ip);
    visitor.field("logAuthId", self.log_auth_id);
  }
};

// GraphQL request bounds (docs/graphql.md, "Limits"): Basalt's own section, PocketBase has no
// GraphQL. Every value must be at least 1 and at most its cap.
struct GraphqlSettings {
  std::int64_t max_document_bytes = 64 * 1024;  // the query text; cap 1 MiB
  std::int64_t max_depth = 12;                  // field nesting; cap 64
  std::int64_t max_fields = 1000;               // fields selected, fragments expanded; cap 100,000
  std::int64_t max_aliases = 100;               // aliased fields, fragments expanded; cap 100,000
  std::int64_t max_limit = 1000;                // `limit` of any list, and its default; cap 1,000
  // Whether __schema and __type are refused to everyone but superusers.
  bool superuser_only_introspection = false;

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("maxDocumentBytes", self.max_document_bytes);
    visitor.field("maxDepth", self.max_depth);
    visitor.field("maxFields", self.max_fields);
    visitor.field("maxAliases", self.max_aliases);
    visitor.field("maxLimit", self.max_limit);
    visitor.field("superuserOnlyIntrospection", self.superuser_only_introspection);
  }
};

struct AppSettings {
  std::vector<std::string> superuser_ips;  // IPs or CIDR subnets; empty = any
  SmtpSettings smtp;
  BackupsSettings backups;
  S3Settings s3;
  MetaSettings meta;
  RateLimitSettings rate_limits;
  TrustedProxySettings trusted_proxy;
  BatchSettings batch;
  LogsSettings logs;
  GraphqlSettings graphql;

  template <typename Self, typename Visitor>
  static void visit(Self& self, Visitor& visitor) {
    visitor.field("superuserIPs", self.superuser_ips);
    visitor.section("smtp", self.smtp);
    visitor.section("backups", self.backups);
    visitor.section("s3", self.s3);
    visitor.section("meta", self.meta);
    visitor.section("rateLimits", self.rate_limits);
    visitor.section("trustedProxy", self.trusted_proxy);
    visitor.section("batch", self.batch);
    visitor.section("logs", self.logs);
    visitor.section("graphql", self.graphql);
  }
};

}  // namespace basalt::settings
