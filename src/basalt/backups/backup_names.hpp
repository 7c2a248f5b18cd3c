// Backup file names (docs/backups.md, "Names"): what a name may be, and the default one.
// A valid name is also the backup's key in the backups store, so validation here is what keeps
// keys from escaping the store. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace basalt::backups {

inline constexpr std::size_t kMaxBackupNameLength = 150;

// PocketBase's rule: 1..150 characters matching ^[a-z0-9_-]+\.zip$.
bool valid_backup_name(std::string_view name) noexcept;

// A key the API lists, serves, deletes and restores: a valid name, or '@' and a valid name
// (PocketBase names its scheduled backups "@auto_pb_backup_…", so a PocketBase backups
// directory copied over keeps working). Anything else in the store is left alone.
bool valid_backup_key(std::string_view key) noexcept;

// PocketBase's inflector.Snakecase: words are runs of ASCII letters and digits (any other
// byte, '_' included, separates them), joined by '_'; inside a word an upper-case letter that
// follows a non-upper-case one starts a new word; everything lower-cased. "myTestDB" gives
// "my_test_db", "Acme Inc." gives "acme_inc".
std::string snakecase(std::string_view text);

// `<prefix><snakecase(app name), at most 50 bytes>_<UTC yyyymmddhhmmss>.zip`; PocketBase uses
// the prefix "pb_backup_" for manual backups (and "@auto_pb_backup_" for scheduled ones).
std::string default_backup_name(std::string_view prefix, std::string_view app_name,
                                std::chrono::system_clock::time_point now);

}  // namespace basalt::backups
