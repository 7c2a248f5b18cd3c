// POST /api/settings/test/email (account_handlers.hpp): a superuser's check of settings.smtp.
#include "basalt/api/account_handlers.hpp"
#include "basalt/api/request_body.hpp"

namespace basalt::api {

boost::asio::awaitable<void> test_email(const Services& services, const auth::AuthContext&,
                                        http::Request& request, http::Response& response) {
  const RequestBody body = request_body(request);
  std::string collection = string_member(body, "collection");
  std::string template_name = string_member(body, "template");
  std::string email = string_member(body, "email");
  services.accounts.queue_test_mail(std::move(collection), std::move(template_name),
                                    std::move(email));
  response.content(204, {}, {});
  co_return;
}

}  // namespace basalt::api
