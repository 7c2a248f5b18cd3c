// `basalt superuser upsert|delete`: superusers are the auth records of `_superusers`. The
// commands go through the record service (admin_commands.hpp), so they validate as the API does
// (email format, password length, passwordConfirm), hash with argon2id, and a password change
// rotates the tokenKey: the superuser's old tokens stop working. They work whether or not a
// server holds the data directory.
#pragma once

#include <iosfwd>
#include <string>

#include "basalt/core/config.hpp"
#include "basalt/db/database.hpp"

namespace basalt::app {

// Creates the superuser or, when the email exists (case-insensitively), sets its password.
// Returns the exit code: 0, or 1 with every problem printed on `err`.
int upsert_superuser(const core::Config& config, const std::string& email,
                     const std::string& password, std::ostream& out, std::ostream& err);

// Deletes the superuser with that email. 1 when there is none.
int delete_superuser(const core::Config& config, const std::string& email, std::ostream& out,
                     std::ostream& err);

// How many superusers exist (for the first-start hint).
std::int64_t count_superusers(db::Database& database);

}  // namespace basalt::app
