#include "basalt/api/sign_in_response.hpp"

#include "basalt/auth/auth_context.hpp"
#include "basalt/records/record_export.hpp"
#include "basalt/records/visibility.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {

void write_auth_response(http::Response& response, const schema::Collection& collection,
                         const boost::json::object& record, std::string_view token,
                         const boost::json::object* meta) {
  // Key order of PocketBase's response struct: record, token, then meta. The owner sees its
  // email; superusers see their own hidden fields.
  records::Visibility visibility{collection.name == "_superusers", true};
  boost::json::object body;
  body["record"] = records::export_record(collection, record, visibility);
  body["token"] = token;
  if (meta) body["meta"] = *meta;
  response.json(200, schema::serialize_go_json(body));
}

boost::asio::awaitable<void> finish_sign_in(const Services& services, http::Request&,
                                            http::Response& response,
                                            const schema::Collection& collection,
                                            const boost::json::object& record, std::string_view,
                                            const boost::json::object* meta) {
  // The MFA gate (M1.10) goes here: before the token, for every `method`.
  const std::string token = auth::issue_auth_token(collection, record, services.clock.now());
  write_auth_response(response, collection, record, token, meta);
  co_return;
}

}  // namespace basalt::api
