// The `db` setting: where the data lives. Empty means SQLite in <data dir>/data.db; otherwise a
// PostgreSQL URL (docs/postgres.md, "Running on PostgreSQL").
//
// Invariant: the URL's password never reaches a log line or an error message. Code that
// prints the URL prints masked_database_url(url); parse_database_url's errors never quote the
// text they reject.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace basalt::core {

// The longest URL accepted (libpq has no limit of its own; a URL is a few hundred bytes).
inline constexpr std::size_t kMaxDatabaseUrlBytes = 4096;

// The setting's value: "" (SQLite), or `postgres://…` / `postgresql://…` returned unchanged.
// Throws ConfigError for another scheme, a control character or space, or text longer than
// kMaxDatabaseUrlBytes. Host, port and parameters are libpq's to check when it connects.
std::string parse_database_url(std::string_view text);

// Whether `url` names a PostgreSQL server (the setting is not empty).
bool is_postgres_url(std::string_view url) noexcept;

// `url` with the password of its user part (`user:SECRET@host`) and the value of every
// `password=` parameter replaced by "***", for logs: "postgres://basalt:***@db/app".
std::string masked_database_url(std::string_view url);

// The `cluster-bus` setting's value: "" (PostgreSQL's LISTEN/NOTIFY), or a `redis://…` or
// `nats://…` URL returned unchanged. Throws ConfigError for another scheme, a control
// character or space, or text longer than kMaxDatabaseUrlBytes; the rest of the URL is checked
// when the bus is made (cluster::parse_bus_url).
std::string parse_cluster_bus_url(std::string_view text);

}  // namespace basalt::core
