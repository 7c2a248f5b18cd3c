#include "basalt/api/graphql_operation.hpp"

#include <boost/json.hpp>

namespace basalt::api {

bool read_graphql_operation(const boost::json::value* payload, graphql::LiveQueryRequest& out) {
  namespace json = boost::json;
  if (payload == nullptr || !payload->is_object()) return false;
  const json::object& object = payload->get_object();
  const json::value* query = object.if_contains("query");
  if (query == nullptr || !query->is_string()) return false;
  out.document = query->get_string();
  if (const json::value* variables = object.if_contains("variables");
      variables && !variables->is_null()) {
    if (!variables->is_object()) return false;
    out.variables = variables->get_object();
  }
  if (const json::value* name = object.if_contains("operationName"); name && !name->is_null()) {
    if (!name->is_string()) return false;
    out.operation_name = name->get_string();
  }
  if (const json::value* extensions = object.if_contains("extensions");
      extensions && !extensions->is_null() && !extensions->is_object()) {
    return false;
  }
  return true;
}

}  // namespace basalt::api
