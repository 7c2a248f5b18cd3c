// The verification flow (account_flows.hpp; PocketBase's request-/confirm-verification).
#include "basalt/accounts/account_flows.hpp"
#include "basalt/accounts/account_mails.hpp"
#include "basalt/accounts/flow_support.hpp"
#include "basalt/accounts/flow_tokens.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/auth/tokens.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/field.hpp"
#include "basalt/schema/ids.hpp"

namespace basalt::accounts {
namespace {

constexpr std::string_view kVerificationFlow = "verification";

void refuse_superusers_verification(const schema::Collection& collection) {
  if (collection.name == records::kSuperusersCollection) {
    throw core::ApiError::bad_request("All superusers are verified by default.");
  }
}

}  // namespace

boost::asio::awaitable<void> AccountFlows::request_verification(std::string collection_name,
                                                                std::string email) {
  auto catalog = parts_.collections.catalog();
  const schema::Collection& collection = auth::find_auth_collection(*catalog, collection_name);
  refuse_superusers_verification(collection);
  schema::ValidationErrors errors;
  support::check_email(errors, "email", email);
  if (!errors.empty()) support::throw_invalid(errors);

  std::optional<boost::json::object> record = co_await find_by_email(collection, email);
  if (!record || support::bool_field(*record, schema::kFieldVerified)) co_return;  // 204 alike
  const std::string key = support::record_key(kVerificationFlow, collection.id, *record);
  if (resends_.active(key)) co_return;  // invariant 4
  resends_.mark(key);
  MailContext context{catalog, &collection, std::move(*record), &parts_.settings, &parts_.clock};
  parts_.outbox.submit(token_mail(std::move(context), auth::TokenType::kVerification));
}

boost::asio::awaitable<void> AccountFlows::confirm_verification(std::string collection_name,
                                                                std::string token,
                                                                std::string client) {
  auto catalog = parts_.collections.catalog();
  const schema::Collection& collection = auth::find_auth_collection(*catalog, collection_name);
  refuse_superusers_verification(collection);
  if (token.empty()) support::throw_field("token", schema::error_required());
  const std::optional<auth::UnverifiedToken> claimed = auth::read_unverified_token(token);
  if (!claimed || claimed->jwt.unverified_claims().if_contains("email") == nullptr ||
      support::string_field(claimed->jwt.unverified_claims(), "email").empty()) {
    support::throw_field("token", schema::make_error("validation_invalid_token_claims",
                                                     "Missing email token claim."));
  }
  const auto now = parts_.clock.now();
  std::optional<FlowTokenRecord> found = co_await find_flow_token_record(
      *catalog, parts_.records, token, auth::TokenType::kVerification, now);
  if (!found) support::throw_field("token", support::invalid_token());
  if (found->collection->id != collection.id) {
    support::throw_field("token", support::token_collection_mismatch());
  }
  if (support::string_field(found->record, schema::kFieldEmail) != found->claims.email) {
    support::throw_field("token", schema::make_error("validation_token_email_mismatch",
                                                     "The record email doesn't match with the "
                                                     "requested token claims."));
  }
  const std::string id = support::string_field(found->record, schema::kFieldId);
  if (!support::bool_field(found->record, schema::kFieldVerified)) {
    boost::json::object body{{schema::kFieldVerified, true}};
    if (!collection.auth.password_auth.enabled) {
      // Nobody can sign in with a password someone set before the owner proved the address.
      const std::string random = schema::random_string(30);
      body[schema::kFieldPassword] = random;
      body["passwordConfirm"] = random;
    }
    std::string failure = "An error occurred while saving the verified state.";
    co_await update_as_system(collection, id, std::move(body), std::move(failure), client);
  }
  resends_.clear(support::record_key(kVerificationFlow, collection.id, found->record));
}

}  // namespace basalt::accounts
