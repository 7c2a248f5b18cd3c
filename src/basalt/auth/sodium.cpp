#include "basalt/auth/sodium.hpp"

#include <sodium.h>

#include <stdexcept>

namespace basalt::auth {

void init_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

}  // namespace basalt::auth
