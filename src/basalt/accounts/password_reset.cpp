// The password reset flow (account_flows.hpp; PocketBase's request-/confirm-password-reset).
#include "basalt/accounts/account_flows.hpp"
#include "basalt/accounts/account_mails.hpp"
#include "basalt/accounts/flow_support.hpp"
#include "basalt/accounts/flow_tokens.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/field.hpp"
#include "basalt/schema/field_options.hpp"

namespace basalt::accounts {
namespace {

constexpr std::string_view kPasswordResetFlow = "passwordReset";
constexpr std::int64_t kMaxResetPasswordLength = 255;

// The password field's own minimum, or 1 (PocketBase: its Min when positive).
std::int64_t password_min(const schema::Collection& collection) {
  for (const auto& field : collection.fields) {
    if (field.name != schema::kFieldPassword) continue;
    if (const auto* options = field.as<schema::PasswordOptions>(); options && options->min > 0) {
      return options->min;
    }
  }
  return 1;
}

}  // namespace

boost::asio::awaitable<void> AccountFlows::request_password_reset(std::string collection_name,
                                                                  std::string email) {
  auto catalog = parts_.collections.catalog();
  const schema::Collection& collection = auth::find_auth_collection(*catalog, collection_name);
  if (!collection.auth.password_auth.enabled) {
    throw core::ApiError::bad_request(
        "The collection is not configured to allow password authentication.");
  }
  schema::ValidationErrors errors;
  support::check_email(errors, "email", email);
  if (!errors.empty()) support::throw_invalid(errors);

  std::optional<boost::json::object> record = co_await find_by_email(collection, email);
  if (!record) co_return;  // 204 alike (invariant 3)
  const std::string key = support::record_key(kPasswordResetFlow, collection.id, *record);
  if (resends_.active(key)) co_return;  // invariant 4
  resends_.mark(key);
  MailContext context{catalog, &collection, std::move(*record), &parts_.settings, &parts_.clock};
  parts_.outbox.submit(token_mail(std::move(context), auth::TokenType::kPasswordReset));
}

boost::asio::awaitable<void> AccountFlows::confirm_password_reset(std::string collection_name,
                                                                  std::string token,
                                                                  std::string password,
                                                                  std::string password_confirm,
                                                                  std::string client) {
  auto catalog = parts_.collections.catalog();
  const schema::Collection& collection = auth::find_auth_collection(*catalog, collection_name);
  schema::ValidationErrors errors;
  std::optional<FlowTokenRecord> found;
  if (token.empty()) {
    errors.add({"token"}, schema::error_required());
  } else {
    const auto now = parts_.clock.now();
    found = co_await find_flow_token_record(*catalog, parts_.records, token,
                                            auth::TokenType::kPasswordReset, now);
    if (!found) {
      errors.add({"token"}, support::invalid_token());
    } else if (found->collection->id != collection.id) {
      errors.add({"token"}, support::token_collection_mismatch());
    }
  }
  support::check_text(errors, "password", password, password_min(collection),
                      kMaxResetPasswordLength);
  if (password_confirm.empty()) {
    errors.add({"passwordConfirm"}, schema::error_required());
  } else if (password_confirm != password) {
    errors.add({"passwordConfirm"}, schema::error_values_mismatch());
  }
  if (!errors.empty()) support::throw_invalid(errors);

  boost::json::object body{{schema::kFieldPassword, password}, {"passwordConfirm", password}};
  // The mail reached the address the record still has: that proves it.
  if (!support::bool_field(found->record, schema::kFieldVerified) &&
      support::string_field(found->record, schema::kFieldEmail) == found->claims.email) {
    body[schema::kFieldVerified] = true;
  }
  const std::string id = support::string_field(found->record, schema::kFieldId);
  std::string failure = "Failed to set new password.";
  co_await update_as_system(collection, id, std::move(body), std::move(failure), client);
  resends_.clear(support::record_key(kPasswordResetFlow, collection.id, found->record));
}

}  // namespace basalt::accounts
