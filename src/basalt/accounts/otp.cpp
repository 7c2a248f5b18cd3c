// One-time passwords (account_flows.hpp; PocketBase's request-otp and auth-with-otp).
#include <sodium.h>

#include <algorithm>

#include "basalt/accounts/account_flows.hpp"
#include "basalt/accounts/account_mails.hpp"
#include "basalt/accounts/flow_support.hpp"
#include "basalt/auth/auth_rule.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/auth/sign_in_throttle.hpp"
#include "basalt/auth/sodium.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/field.hpp"
#include "basalt/schema/ids.hpp"
#include "basalt/schema/system_collections.hpp"

namespace basalt::accounts {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxRememberedOtps = 10'000;
// auth-with-otp accepts passwords of 1-71 characters (PocketBase's bound), so a longer
// otp.length could never be typed back: codes are cut to it (and no huge length allocates).
constexpr std::int64_t kMaxOtpLength = 71;

void require_otp_enabled(const schema::Collection& collection) {
  if (!collection.auth.otp.enabled) {
    throw core::ApiError::forbidden(
        "The collection is not configured to allow OTP authentication.");
  }
}

[[noreturn]] void invalid_otp() {
  throw core::ApiError::bad_request("Invalid or expired OTP.");
}

// `length` decimal digits from libsodium's CSPRNG.
std::string otp_password(std::int64_t length) {
  auth::init_sodium();
  std::string out(static_cast<std::size_t>(std::clamp<std::int64_t>(length, 1, kMaxOtpLength)),
                  '0');
  for (char& c : out) c = static_cast<char>('0' + randombytes_uniform(10));
  return out;
}

}  // namespace

boost::asio::awaitable<std::string> AccountFlows::request_otp(std::string collection_name,
                                                              std::string email,
                                                              std::string client) {
  auto catalog = parts_.collections.catalog();
  const schema::Collection& collection = auth::find_auth_collection(*catalog, collection_name);
  require_otp_enabled(collection);
  schema::ValidationErrors errors;
  support::check_email(errors, "email", email);
  if (!errors.empty()) support::throw_invalid(errors);

  std::optional<json::object> record = co_await find_by_email(collection, email);
  if (!record) {
    // The hash a known address's OTP costs, spent here too (invariant 3); then an id no OTP
    // has, which auth-with-otp answers as it answers a wrong one.
    std::string decoy = otp_password(collection.auth.otp.length);
    co_await parts_.passwords.hash(std::move(decoy), client);
    co_return schema::new_record_id();
  }

  const std::string key = support::record_key("otp", collection.id, *record);
  if (!co_await otp_creations_->acquire(key, parts_.clock.steady_now())) {
    std::lock_guard lock(last_otp_mutex_);
    const auto it = last_otp_.find(key);
    co_return it != last_otp_.end() ? it->second : schema::new_record_id();
  }

  const std::string password = otp_password(collection.auth.otp.length);
  const std::string otp_id = schema::new_record_id();
  const std::string record_email = support::string_field(*record, schema::kFieldEmail);
  support::SystemCaller system(*catalog, client);
  records::WriteInput input;
  input.body = {{schema::kFieldId, otp_id},
                {"collectionRef", collection.id},
                {"recordRef", support::string_field(*record, schema::kFieldId)},
                {schema::kFieldPassword, password},
                {"sentTo", record_email}};
  query::RequestInfo create_request;
  co_await parts_.records.create(system.caller, schema::kOtpsCollection, std::move(input),
                                 std::move(create_request));
  {
    std::lock_guard lock(last_otp_mutex_);
    if (last_otp_.size() >= kMaxRememberedOtps) last_otp_.clear();
    last_otp_[key] = otp_id;
  }
  // After the commit (invariant 2).
  MailContext context{catalog, &collection, std::move(*record), &parts_.settings, &parts_.clock};
  parts_.outbox.submit(otp_mail(std::move(context), otp_id, password));
  co_return otp_id;
}

boost::asio::awaitable<OtpSignIn> AccountFlows::auth_with_otp(std::string collection_name,
                                                              std::string otp_id,
                                                              std::string password,
                                                              std::string client,
                                                              records::Caller caller) {
  OtpSignIn result;
  result.catalog = parts_.collections.catalog();
  const schema::Collection& collection =
      auth::find_auth_collection(*result.catalog, collection_name);
  result.collection = &collection;
  require_otp_enabled(collection);
  schema::ValidationErrors errors;
  support::check_text(errors, "otpId", otp_id, 1, 255);
  support::check_text(errors, "password", password, 1, 71);
  if (!errors.empty()) support::throw_invalid(errors);

  const schema::Collection* otps = result.catalog->find(schema::kOtpsCollection);
  if (!otps) invalid_otp();
  const std::vector<std::string> by_id{std::string(schema::kFieldId)};
  std::optional<json::object> otp = co_await parts_.records.find_auth_record(*otps, by_id, otp_id);
  if (!otp || support::string_field(*otp, schema::kFieldId) != otp_id ||
      support::string_field(*otp, "collectionRef") != collection.id) {
    invalid_otp();
  }
  const auto created = schema::DateTime::parse(support::string_field(*otp, "created"));
  const auto oldest_valid = schema::DateTime::from_time_point(
      parts_.clock.now() - std::chrono::seconds(collection.auth.otp.duration));
  if (!created || *created <= oldest_valid) invalid_otp();
  const std::string record_ref = support::string_field(*otp, "recordRef");
  std::optional<json::object> record =
      co_await parts_.records.find_auth_record(collection, by_id, record_ref);
  if (!record) invalid_otp();

  // OTPs are short digit strings: every try counts, right or wrong (invariant 5).
  const std::string key = support::record_key("otp-attempt", collection.id, *record);
  if (const auth::Admission admission =
          co_await otp_attempts_->acquire(key, parts_.clock.steady_now());
      !admission) {
    core::ApiError error(429, "Too many attempts, please try again later with a new OTP.");
    error.with_retry_after(static_cast<int>(admission.retry_after.count()));
    throw error;
  }
  std::string stored = support::string_field(*otp, schema::kFieldPassword);
  if (!co_await password_matches(password, std::move(stored), client)) {
    invalid_otp();
  }

  query::RequestInfo info;
  info.context = "otp";
  info.method = "POST";
  info.body = {{"otpId", otp_id}, {"password", password}};
  const auto now = parts_.clock.now();
  if (!co_await auth::auth_rule_allows(parts_.database, parts_.plans, *result.catalog, collection,
                                       *record, caller, info, now)) {
    throw core::ApiError::forbidden(
        "The request doesn't satisfy the collection requirements to authenticate.");
  }

  support::SystemCaller system(*result.catalog, client);
  const std::string record_id = support::string_field(*record, schema::kFieldId);
  const std::string sent_to = support::string_field(*otp, "sentTo");
  if (!support::bool_field(*record, schema::kFieldVerified) && !sent_to.empty() &&
      sent_to == support::string_field(*record, schema::kFieldEmail)) {
    // The code reached that address: it is the owner's.
    json::object verified{{schema::kFieldVerified, true}};
    std::string failure = "Failed to update the verified state.";
    co_await update_as_system(collection, record_id, std::move(verified), std::move(failure),
                              client);
    record = co_await parts_.records.find_auth_record(collection, by_id, record_id);
    if (!record) invalid_otp();
  }
  // Used once: a second sign-in with it finds nothing.
  query::RequestInfo remove_request;
  co_await parts_.records.remove(system.caller, schema::kOtpsCollection, otp_id,
                                 std::move(remove_request));
  result.record = std::move(*record);
  co_return result;
}

}  // namespace basalt::accounts
