// The email change flow (account_flows.hpp; PocketBase's request-/confirm-email-change).
#include "basalt/accounts/account_flows.hpp"
#include "basalt/accounts/account_mails.hpp"
#include "basalt/accounts/flow_support.hpp"
#include "basalt/accounts/flow_tokens.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::accounts {
namespace {

constexpr std::int64_t kMaxConfirmPasswordLength = 100;

void refuse_superusers_email_change(const schema::Collection& collection) {
  if (collection.name == records::kSuperusersCollection) {
    throw core::ApiError::bad_request("All superusers can change their emails directly.");
  }
}

}  // namespace

boost::asio::awaitable<void> AccountFlows::request_email_change(std::string collection_name,
                                                                boost::json::object auth_record,
                                                                std::string new_email,
                                                                std::string) {
  auto catalog = parts_.collections.catalog();
  const schema::Collection& collection = auth::find_auth_collection(*catalog, collection_name);
  refuse_superusers_email_change(collection);
  schema::ValidationErrors errors;
  support::check_email(errors, "newEmail", new_email);
  if (errors.empty() && new_email == support::string_field(auth_record, schema::kFieldEmail)) {
    errors.add({"newEmail"}, schema::error_not_in());
  }
  if (errors.empty()) {
    std::optional<boost::json::object> other = co_await find_by_email(collection, new_email);
    if (other && support::string_field(*other, schema::kFieldId) !=
                     support::string_field(auth_record, schema::kFieldId)) {
      errors.add({"newEmail"},
                 schema::make_error("validation_invalid_new_email", "Invalid new email address."));
    }
  }
  if (!errors.empty()) support::throw_invalid(errors);
  MailContext context{catalog, &collection, std::move(auth_record), &parts_.settings,
                      &parts_.clock};
  parts_.outbox.submit(
      token_mail(std::move(context), auth::TokenType::kEmailChange, std::move(new_email)));
}

boost::asio::awaitable<void> AccountFlows::confirm_email_change(std::string collection_name,
                                                                std::string token,
                                                                std::string password,
                                                                std::string client) {
  auto catalog = parts_.collections.catalog();
  const schema::Collection& collection = auth::find_auth_collection(*catalog, collection_name);
  refuse_superusers_email_change(collection);
  schema::ValidationErrors errors;
  std::optional<FlowTokenRecord> found;
  std::string new_email;
  if (token.empty()) {
    errors.add({"token"}, schema::error_required());
  } else {
    const std::optional<auth::UnverifiedToken> claimed = auth::read_unverified_token(token);
    new_email = claimed ? support::string_field(claimed->jwt.unverified_claims(), "newEmail")
                        : std::string();
    if (new_email.empty()) {
      errors.add({"token"}, schema::make_error("validation_invalid_token_payload",
                                               "Invalid token payload - newEmail must be set."));
    } else {
      const auto now = parts_.clock.now();
      found = co_await find_flow_token_record(*catalog, parts_.records, token,
                                              auth::TokenType::kEmailChange, now);
      if (!found) {
        errors.add({"token"}, support::invalid_token());
      } else if (found->collection->id != collection.id) {
        errors.add({"token"}, support::token_collection_mismatch());
        found.reset();
      } else if (co_await find_by_email(collection, found->claims.new_email)) {
        errors.add({"token"}, schema::make_error("validation_invalid_token_email",
                                                 "The new email address is invalid."));
        found.reset();
      }
    }
  }
  support::check_text(errors, "password", password, 1, kMaxConfirmPasswordLength);
  if (!errors.has_under({"password"})) {
    bool matches = false;
    if (found) {
      std::string stored = support::string_field(found->record, schema::kFieldPassword);
      matches = co_await password_matches(password, std::move(stored), client);
    }
    if (!matches) {
      errors.add({"password"}, schema::make_error("validation_invalid_password",
                                                  "Missing or invalid auth record password."));
    }
  }
  if (!errors.empty()) support::throw_invalid(errors);

  boost::json::object body{{schema::kFieldEmail, found->claims.new_email},
                           {schema::kFieldVerified, true}};
  const std::string id = support::string_field(found->record, schema::kFieldId);
  std::string failure = "Failed to confirm email change.";
  co_await update_as_system(collection, id, std::move(body), std::move(failure), client);
}

}  // namespace basalt::accounts
