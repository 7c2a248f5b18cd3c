#include "basalt/app/password_hashing.hpp"

#include <spdlog/spdlog.h>

namespace basalt::app {

auth::Argon2Params configured_argon2_params(const core::AuthConfig& auth) {
  const auth::Argon2Params params{auth.argon2_passes, auth.argon2_memory_bytes};
  if (!auth::meets_owasp_floor(params)) {
    spdlog::warn(
        "auth: argon2id hashes new passwords with {} KiB x {} passes, below OWASP's minimum "
        "(e.g. 19 MiB x 2): fit for tests only (docs/security.md, \"Passwords\")",
        params.memory_bytes / 1024, params.iterations);
  }
  return params;
}

}  // namespace basalt::app
