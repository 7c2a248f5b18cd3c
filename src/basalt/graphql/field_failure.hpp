// FieldFailure: why one root field could not be answered. The executor turns it into a field
// error at that field's path (docs/graphql.md, "Errors") and answers null there; the other root
// fields of the request are unaffected.
#pragma once

#include <stdexcept>
#include <string>

#include "basalt/graphql/error.hpp"

namespace basalt::graphql {

class FieldFailure : public std::runtime_error {
 public:
  FieldFailure(ErrorCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

}  // namespace basalt::graphql
