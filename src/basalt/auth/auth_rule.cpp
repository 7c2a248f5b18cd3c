#include "basalt/auth/auth_rule.hpp"

#include <chrono>

#include "basalt/records/access.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::auth {

std::optional<query::AuthInfo> auth_info_of(const records::Caller& caller) {
  if (caller.is_guest() || !caller.record) return std::nullopt;
  query::AuthInfo info{caller.collection->id, caller.collection->name, {}};
  info.borrowed = caller.record;
  return info;
}

boost::asio::awaitable<bool> auth_rule_allows(db::Database& database, query::PlanCache& plans,
                                              const collections::Catalog& catalog,
                                              const schema::Collection& collection,
                                              const boost::json::object& record,
                                              const records::Caller& caller,
                                              const query::RequestInfo& info,
                                              std::chrono::system_clock::time_point now) {
  if (caller.is_superuser()) co_return true;  // as PocketBase: superusers pass every rule
  const auto& rule = collection.auth.auth_rule;
  if (!rule) co_return false;  // null: only a superuser caller passes
  if (rule->empty()) co_return true;
  query::RequestInfo request = info;
  request.auth = auth_info_of(caller);
  const records::Access access(catalog, caller, plans, database.dialect(), now);
  query::PlanPtr plan = access.rule(collection, *rule);
  records::Statement check =
      records::matches_statement(access, *plan, request, record.at(schema::kFieldId).as_string());
  db::ResultSet rows = co_await database.query(check.sql, check.params);
  co_return !rows.empty();
}

}  // namespace basalt::auth
