// The front of every GraphQL execution (graphql_service.cpp, subscription_event_batch.cpp):
// parse under the Limits, pick the operation, refuse what the transport does not serve (a
// mutation over GET, a subscription over plain HTTP), validate against the caller class's
// schema, coerce the variables. Private to the graphql module.
#pragma once

#include <boost/json/object.hpp>
#include <memory>
#include <optional>

#include "basalt/core/api_error.hpp"
#include "basalt/db/database_error.hpp"
#include "basalt/graphql/ast.hpp"
#include "basalt/graphql/error.hpp"
#include "basalt/graphql/graphql_service.hpp"

namespace basalt::graphql {

struct PreparedOperation {
  std::optional<Document> document;  // borrows from the request's document text
  const OperationDefinition* operation = nullptr;
  std::shared_ptr<const GeneratedSchema> generated;
  boost::json::object variables;  // coerced
};

// Fills `out`, or returns the answer that ends the request (kRequestError or
// kMethodNotAllowed) when it cannot run.
std::optional<GraphqlAnswer> prepare_operation(GraphqlService& service,
                                               const records::Caller& caller,
                                               const GraphqlRequest& request,
                                               const RequestPolicy& policy, PreparedOperation& out);

// A service error of a root field as a GraphQL error code (docs/graphql.md, "Errors").
ErrorCode error_code_of(const core::ApiError& error);

// The statement of a root field grows with the selection; SQLite refuses one that nests deeper
// than its parser's stack (3.40: 100 frames, about 15 per relation level with a rule or a
// `where` each) or that is otherwise past its limits. That is the request's size, not a fault:
// limit-exceeded with this message.
bool too_large_for_the_database(const db::DatabaseError& error);
inline constexpr const char* kTooLargeMessage =
    "The query is too large to run as one statement: select fewer nested relations, or give "
    "the nested lists simpler where arguments.";

}  // namespace basalt::graphql
