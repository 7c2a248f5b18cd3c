// The GraphQL request object both subscription transports receive (a graphql-transport-ws
// subscribe payload, a graphql-sse body): `query` (string), `variables` (object or null),
// `operationName` (string or null), `extensions` (object or null).
#pragma once

#include <boost/json/fwd.hpp>

#include "basalt/graphql/subscription_live_query.hpp"

namespace basalt::api {

// Fills `out` from `payload`; false when it is not such an object.
bool read_graphql_operation(const boost::json::value* payload, graphql::LiveQueryRequest& out);

}  // namespace basalt::api
