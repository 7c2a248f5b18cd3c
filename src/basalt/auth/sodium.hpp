// libsodium initialisation for the auth module: sodium_init() must run before the first call
// into libsodium (it picks the fastest implementations and seeds the CSPRNG).
#pragma once

namespace basalt::auth {

// Runs sodium_init() once, on first use, from any thread (a function-local static, so nothing
// runs before main). Throws std::runtime_error when libsodium cannot initialise. Thread-safe.
void init_sodium();

}  // namespace basalt::auth
