// The superusers' test mail (account_flows.hpp, queue_test_mail).
#include "basalt/accounts/account_flows.hpp"
#include "basalt/accounts/account_mails.hpp"
#include "basalt/accounts/flow_support.hpp"

namespace basalt::accounts {
namespace {

constexpr std::string_view kTestTemplates[] = {"verification", "password-reset", "email-change",
                                               "otp", "login-alert"};

}  // namespace

void AccountFlows::queue_test_mail(std::string collection_name, std::string template_name,
                                   std::string email) {
  auto catalog = parts_.collections.catalog();
  if (collection_name.empty()) collection_name = std::string(records::kSuperusersCollection);
  schema::ValidationErrors errors;
  support::check_email(errors, "email", email);
  if (template_name.empty()) {
    errors.add({"template"}, schema::error_required());
  } else if (std::find(std::begin(kTestTemplates), std::end(kTestTemplates), template_name) ==
             std::end(kTestTemplates)) {
    errors.add({"template"}, schema::error_in());
  }
  const schema::Collection* collection = catalog->find(collection_name);
  if (!collection || !collection->is_auth()) {
    errors.add({"collection"}, schema::make_error("validation_invalid_collection",
                                                  "Missing or invalid auth collection."));
  }
  if (!errors.empty()) support::throw_invalid(errors);
  MailContext context{catalog, collection, {}, &parts_.settings, &parts_.clock};
  parts_.outbox.submit(test_mail(std::move(context), std::move(template_name), std::move(email)));
}

}  // namespace basalt::accounts
