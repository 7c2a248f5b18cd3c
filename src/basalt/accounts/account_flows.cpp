// AccountFlows: construction and the helpers every flow uses (account_flows.hpp).
#include "basalt/accounts/account_flows.hpp"

#include "basalt/accounts/flow_support.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::accounts {
namespace {

auth::MemoryRateLimiterOptions per_record(unsigned count, std::chrono::seconds window) {
  auth::MemoryRateLimiterOptions options;
  options.limit = {count, window};
  return options;
}

std::unique_ptr<auth::RateLimiter> otp_limiter(const AccountFlowsParts& parts, const char* name,
                                               auth::MemoryRateLimiterOptions options) {
  if (parts.make_limiter) return parts.make_limiter(name, options);
  return std::make_unique<auth::MemoryRateLimiter>(options);
}

}  // namespace

AccountFlows::AccountFlows(AccountFlowsParts parts)
    : parts_(parts),
      resends_(parts.clock, kResendWindow),
      otp_attempts_(
          otp_limiter(parts, "otp-attempts", per_record(kOtpAttempts, kOtpAttemptsWindow))),
      otp_creations_(
          otp_limiter(parts, "otp-creations", per_record(kOtpsPerRecord, kOtpAttemptsWindow))) {}

boost::asio::awaitable<std::optional<boost::json::object>> AccountFlows::find_by_email(
    const schema::Collection& collection, const std::string& email) {
  const std::vector<std::string> by_email{std::string(schema::kFieldEmail)};
  co_return co_await parts_.records.find_auth_record(collection, by_email, email);
}

boost::asio::awaitable<void> AccountFlows::update_as_system(const schema::Collection& collection,
                                                            const std::string& id,
                                                            boost::json::object body,
                                                            std::string failure_message,
                                                            const std::string& client) {
  const auto catalog = parts_.collections.catalog();
  support::SystemCaller system(*catalog, client);
  records::WriteInput input;
  input.body = std::move(body);
  query::RequestInfo request;
  try {
    co_await parts_.records.update(system.caller, collection.id, id, std::move(input),
                                   std::move(request));
  } catch (const core::ApiError& error) {
    // PocketBase answers a failed save with the flow's own message and the field errors.
    if (error.status() != 400) throw;
    throw core::ApiError::bad_request(std::move(failure_message), error.data());
  }
}

boost::asio::awaitable<bool> AccountFlows::password_matches(std::string plain, std::string stored,
                                                            const std::string& client) {
  co_return co_await parts_.passwords.verify(std::move(plain), std::move(stored), client);
}

}  // namespace basalt::accounts
