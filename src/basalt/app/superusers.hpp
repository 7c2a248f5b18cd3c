// `basalt superuser upsert|delete`: superusers are the auth records of `_superusers`
// (spec §4.5). The commands validate like the record API would (email format, password
// length, passwordConfirm) and hash with argon2id (auth::PasswordHasher); an existing
// superuser's password change rotates its tokenKey, so its old tokens stop working.
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
