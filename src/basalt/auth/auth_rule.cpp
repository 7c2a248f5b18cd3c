#include "basalt/auth/auth_rule.hpp"

#include <chrono>

#include "basalt/records/access.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::auth {

boost::asio::awaitable<bool> auth_rule_allows(db::Database& database, query::PlanCache& plans,
                                              const collections::Catalog& catalog,
                                              const schema::Collection& collection,
                                              const boost::json::object& record,
                                              const query::RequestInfo& info,
                                              std::chrono::system_clock::time_point now) {
  const auto& rule = collection.auth.auth_rule;
  if (!rule) co_return false;  // null: only superusers may authenticate (none do here)
  if (rule->empty()) co_return true;
  query::RequestInfo request = info;
  request.auth = query::AuthInfo{collection.id, collection.name, record};
  // The record is also the caller the rule is resolved for.
  const records::Caller caller{&collection, &record};
  const records::Access access(catalog, caller, plans, database.dialect(), now);
  query::PlanPtr plan = access.rule(collection, *rule);
  records::Statement check =
      records::matches_statement(access, *plan, request, record.at(schema::kFieldId).as_string());
  db::ResultSet rows = co_await database.query(check.sql, check.params);
  co_return !rows.empty();
}

}  // namespace basalt::auth
