// The password hasher's parameters as the configuration chooses them (`auth-argon2-memory`,
// `auth-argon2-passes`), for the hasher `serve` builds and the one of the CLI's direct path.
#pragma once

#include "basalt/auth/password_hasher.hpp"
#include "basalt/core/config.hpp"

namespace basalt::app {

// The configured parameters; logs a warning when they are below OWASP's argon2id floor
// (auth::meets_owasp_floor): a setting meant for test suites, never for production.
auth::Argon2Params configured_argon2_params(const core::AuthConfig& auth);

}  // namespace basalt::app
