#include "basalt/graphql/ast.hpp"

namespace basalt::graphql {

std::string_view operation_type_name(OperationType type) noexcept {
  switch (type) {
    case OperationType::kQuery:
      return "query";
    case OperationType::kMutation:
      return "mutation";
    case OperationType::kSubscription:
      return "subscription";
  }
  return "query";
}

}  // namespace basalt::graphql
