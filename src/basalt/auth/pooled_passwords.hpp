// PooledPasswords: the record service's PasswordPort (records/password_port.hpp) backed by
// the PasswordHasher on the blocking pool, so argon2id never runs on an I/O or writer thread.
// Each call first takes a HashingAdmission ticket for the client's address (429 past the
// bounds), held until its work is done. Borrows the pool and the hasher; they must outlive it.
// Thread-safe.
#pragma once

#include "basalt/auth/hashing_admission.hpp"
#include "basalt/auth/password_hasher.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/records/password_port.hpp"

namespace basalt::auth {

class PooledPasswords final : public records::PasswordPort {
 public:
  PooledPasswords(core::BlockingPool& pool, const PasswordHasher& hasher, HashingLimits limits = {})
      : pool_(pool), hasher_(hasher), admission_(limits) {}

  boost::asio::awaitable<std::string> hash(std::string plain,
                                           std::string_view client) const override;
  boost::asio::awaitable<bool> verify(std::string plain, std::string stored,
                                      std::string_view client) const override;

 private:
  core::BlockingPool& pool_;
  const PasswordHasher& hasher_;
  mutable HashingAdmission admission_;
};

}  // namespace basalt::auth
