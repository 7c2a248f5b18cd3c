// request-verification and confirm-verification (account_handlers.hpp).
#include "basalt/api/account_handlers.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"

namespace basalt::api {

boost::asio::awaitable<void> request_verification(const Services& services,
                                                  const auth::AuthContext&, http::Request& request,
                                                  http::Response& response) {
  const RequestBody body = request_body(request);
  std::string collection(request.param("collection"));
  std::string email = string_member(body, "email");
  co_await services.accounts.request_verification(std::move(collection), std::move(email));
  response.content(204, {}, {});
}

boost::asio::awaitable<void> confirm_verification(const Services& services,
                                                  const auth::AuthContext&, http::Request& request,
                                                  http::Response& response) {
  const RequestBody body = request_body(request);
  std::string collection(request.param("collection"));
  std::string token = string_member(body, "token");
  std::string client(client_ip(request));
  co_await services.accounts.confirm_verification(std::move(collection), std::move(token),
                                                  std::move(client));
  response.content(204, {}, {});
}

}  // namespace basalt::api
