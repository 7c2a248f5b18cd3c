// PooledPasswords: the record service's PasswordPort (records/password_port.hpp) backed by
// the PasswordHasher on the blocking pool, so argon2id never runs on an I/O or writer thread.
// Borrows both; they must outlive it. Thread-safe.
#pragma once

#include "basalt/auth/password_hasher.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/records/password_port.hpp"

namespace basalt::auth {

class PooledPasswords final : public records::PasswordPort {
 public:
  PooledPasswords(core::BlockingPool& pool, const PasswordHasher& hasher)
      : pool_(pool), hasher_(hasher) {}

  boost::asio::awaitable<std::string> hash(std::string plain) const override;
  boost::asio::awaitable<bool> verify(std::string plain, std::string stored) const override;

 private:
  core::BlockingPool& pool_;
  const PasswordHasher& hasher_;
};

}  // namespace basalt::auth
