// The collection's authRule on one of its records: the check of sign-in (docs/security.md,
// "Authentication") and, since the record cache (auth_record_cache.hpp), of every authenticated
// request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::auth {

// Whether `record` (every field, as stored) of auth collection `collection` (in `catalog`)
// satisfies its authRule: null refuses everyone, "" admits everyone, a filter is run as one
// point read where the record is both the row and `@request.auth` (as PocketBase evaluates it).
// `info` supplies the rest of `@request` (its `auth` is ignored) and must outlive the call;
// `now` is the rule's `@now` (the caller's core::Clock).
boost::asio::awaitable<bool> auth_rule_allows(db::Database& database, query::PlanCache& plans,
                                              const collections::Catalog& catalog,
                                              const schema::Collection& collection,
                                              const boost::json::object& record,
                                              const query::RequestInfo& info,
                                              std::chrono::system_clock::time_point now);

}  // namespace basalt::auth
