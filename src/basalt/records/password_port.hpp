// PasswordPort: how the record service hashes and checks passwords without depending on the
// auth module (records and auth are peers, docs/architecture.md). The composition root hands it an
// implementation that runs the work on the blocking pool, never on the calling thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

namespace basalt::records {

class PasswordPort {
 public:
  virtual ~PasswordPort() = default;
  // A new stored hash of `plain`. `client` is the asking client's address (Caller): an
  // implementation may bound the work in flight per client and throw ApiError 429 past it.
  virtual boost::asio::awaitable<std::string> hash(std::string plain,
                                                   std::string_view client) const = 0;
  // Whether `plain` matches the stored hash `stored` (false for an unusable hash); bounded
  // like hash().
  virtual boost::asio::awaitable<bool> verify(std::string plain, std::string stored,
                                              std::string_view client) const = 0;
};

}  // namespace basalt::records
