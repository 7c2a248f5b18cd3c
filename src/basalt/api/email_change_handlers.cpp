// request-email-change and confirm-email-change (account_handlers.hpp).
#include "basalt/api/account_handlers.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"

namespace basalt::api {

boost::asio::awaitable<void> request_email_change(const Services& services,
                                                  const auth::AuthContext& auth,
                                                  http::Request& request,
                                                  http::Response& response) {
  // The route's access (kAuthRecord) admitted only a record of this collection.
  const RequestBody body = request_body(request);
  std::string collection(request.param("collection"));
  std::string new_email = string_member(body, "newEmail");
  boost::json::object record = *auth.record;
  std::string client(client_ip(request));
  co_await services.accounts.request_email_change(std::move(collection), std::move(record),
                                                  std::move(new_email), std::move(client));
  response.content(204, {}, {});
}

boost::asio::awaitable<void> confirm_email_change(const Services& services,
                                                  const auth::AuthContext&, http::Request& request,
                                                  http::Response& response) {
  const RequestBody body = request_body(request);
  std::string collection(request.param("collection"));
  std::string token = string_member(body, "token");
  std::string password = string_member(body, "password");
  std::string client(client_ip(request));
  co_await services.accounts.confirm_email_change(std::move(collection), std::move(token),
                                                  std::move(password), std::move(client));
  response.content(204, {}, {});
}

}  // namespace basalt::api
