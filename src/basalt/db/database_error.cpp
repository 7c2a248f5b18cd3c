#include "basalt/db/database_error.hpp"

namespace basalt::db {

core::ApiError statement_timeout_error() {
  return core::ApiError(kStatementTimeoutStatus, std::string(kStatementTimeoutMessage));
}

}  // namespace basalt::db
