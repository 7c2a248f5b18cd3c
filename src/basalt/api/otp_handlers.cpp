// request-otp and auth-with-otp (account_handlers.hpp).
#include "basalt/api/account_handlers.hpp"
#include "basalt/api/request_auth.hpp"
#include "basalt/api/request_body.hpp"
#include "basalt/api/sign_in_response.hpp"
#include "basalt/auth/mfa_gate.hpp"
#include "basalt/schema/go_json.hpp"

namespace basalt::api {

boost::asio::awaitable<void> request_otp(const Services& services, const auth::AuthContext&,
                                         http::Request& request, http::Response& response) {
  const RequestBody body = request_body(request);
  std::string collection(request.param("collection"));
  std::string email = string_member(body, "email");
  std::string client(client_ip(request));
  const std::string otp_id = co_await services.accounts.request_otp(
      std::move(collection), std::move(email), std::move(client));
  boost::json::object answer{{"otpId", otp_id}};
  response.json(200, schema::serialize_go_json(answer));
}

boost::asio::awaitable<void> auth_with_otp(const Services& services, const auth::AuthContext& auth,
                                           http::Request& request, http::Response& response) {
  const RequestBody body = request_body(request);
  std::string collection(request.param("collection"));
  std::string otp_id = string_member(body, "otpId");
  std::string password = string_member(body, "password");
  std::string client(client_ip(request));
  const records::Caller caller = caller_of(auth, request);
  accounts::OtpSignIn signed_in = co_await services.accounts.auth_with_otp(
      std::move(collection), std::move(otp_id), std::move(password), std::move(client), caller);
  SignedIn finished{std::move(signed_in.catalog), signed_in.collection, std::move(signed_in.record),
                    auth::kMfaMethodOtp};
  finished.request_auth = &auth;
  co_await finish_sign_in(services, request, body, response, finished);
}

}  // namespace basalt::api
