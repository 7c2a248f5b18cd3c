#include "basalt/auth/pooled_passwords.hpp"

namespace basalt::auth {

boost::asio::awaitable<std::string> PooledPasswords::hash(std::string plain,
                                                          std::string_view client) const {
  const HashingAdmission::Ticket ticket = admission_.enter(client);
  co_return co_await pool_.run([&] { return hasher_.hash(plain); });
}

boost::asio::awaitable<bool> PooledPasswords::verify(std::string plain, std::string stored,
                                                     std::string_view client) const {
  const HashingAdmission::Ticket ticket = admission_.enter(client);
  co_return co_await pool_.run([&] { return hasher_.verify(plain, stored); });
}

}  // namespace basalt::auth
