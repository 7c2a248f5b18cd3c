#include "basalt/auth/mfa_gate.hpp"

#include <chrono>

#include "basalt/auth/auth_rule.hpp"
#include "basalt/core/api_error.hpp"
#include "basalt/records/access.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::auth {
namespace {

[[noreturn]] void invalid_or_expired() {
  throw core::ApiError::bad_request("Invalid or expired MFA session.");
}

}  // namespace

MfaGate::MfaGate(db::Database& database, records::RecordService& records, query::PlanCache& plans,
                 const core::Clock& clock)
    : database_(database), records_(records), plans_(plans), clock_(clock) {}

boost::asio::awaitable<bool> MfaGate::wants_mfa(const MfaAttempt& attempt) const {
  const schema::Collection& collection = *attempt.collection;
  const std::string& rule = collection.auth.mfa.rule;
  if (rule.empty()) co_return true;
  query::RequestInfo request = *attempt.request;
  const records::Caller guest;
  const records::Caller& caller = attempt.caller ? *attempt.caller : guest;
  request.auth = auth_info_of(caller);
  const records::Access access(*attempt.catalog, caller, plans_, database_.dialect(), clock_.now());
  query::PlanPtr plan;
  try {
    plan = access.rule(collection, rule);
  } catch (const std::exception&) {
    // A rule that no longer resolves (a field was removed): like PocketBase, fail closed with
    // the sign-in's generic error rather than skip the second factor.
    throw core::ApiError::bad_request("Failed to authenticate.");
  }
  records::Statement check = records::matches_statement(
      access, *plan, request, attempt.record->at(schema::kFieldId).as_string());
  db::ResultSet rows = co_await database_.query(check.sql, check.params);
  co_return !rows.empty();
}

boost::asio::awaitable<records::MfaRow> MfaGate::live_session(const schema::Collection& collection,
                                                              std::string_view mfa_id) const {
  if (mfa_id.size() > kMaxMfaIdLength) invalid_or_expired();
  const std::string id(mfa_id);
  std::optional<records::MfaRow> row = co_await records_.find_mfa(id);
  if (!row) invalid_or_expired();
  const auto created = schema::DateTime::parse(row->created);
  const auto oldest_live = schema::DateTime::from_time_point(
      clock_.now() - std::chrono::seconds(collection.auth.mfa.duration));
  if (!created || *created < oldest_live) {
    co_await records_.delete_mfa(row->id);
    invalid_or_expired();
  }
  co_return std::move(*row);
}

boost::asio::awaitable<records::MfaRow> MfaGate::session(const schema::Collection& collection,
                                                         std::string_view mfa_id) const {
  if (mfa_id.empty()) invalid_or_expired();
  records::MfaRow row = co_await live_session(collection, mfa_id);
  if (row.collection_ref != collection.id) invalid_or_expired();
  co_return row;
}

boost::asio::awaitable<std::optional<std::string>> MfaGate::check(MfaAttempt attempt) const {
  const schema::Collection& collection = *attempt.collection;
  // No co_await inside `&&` (GCC 12's coroutine rule): one awaited call per statement.
  bool applies = collection.auth.mfa.enabled && !attempt.method.empty();
  if (applies) applies = co_await wants_mfa(attempt);
  if (!applies) {
    if (attempt.second_factor_only) invalid_or_expired();
    co_return std::nullopt;
  }
  const std::string record_id(attempt.record->at(schema::kFieldId).as_string());
  if (attempt.mfa_id.empty()) {
    if (attempt.second_factor_only) invalid_or_expired();
    const std::string method(attempt.method);
    records::MfaRow row = co_await records_.create_mfa(collection.id, record_id, method);
    co_return std::move(row.id);
  }
  records::MfaRow row = co_await live_session(collection, attempt.mfa_id);
  if (row.record_ref != record_id || row.collection_ref != collection.id) {
    throw core::ApiError::bad_request("Invalid MFA session.");
  }
  if (row.method == attempt.method) {
    throw core::ApiError::bad_request("A different authentication method is required.");
  }
  co_await records_.delete_mfa(row.id);
  co_return std::nullopt;
}

}  // namespace basalt::auth
