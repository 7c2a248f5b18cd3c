// The collection's authRule on one of its records: the check of sign-in (docs/security.md,
// "Authentication") and, since the record cache (auth_record_cache.hpp), of every authenticated
// request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>

#include "basalt/collections/catalog.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/caller.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::auth {

// Whether `record` (every field, as stored) of auth collection `collection` (in `catalog`)
// satisfies its authRule, as PocketBase's CanAccessRecord checks it at sign-in: a superuser
// `caller` passes whatever the rule; else null refuses, "" admits, and a filter is run as one
// point read where `record` is the row and `@request.auth` is `caller` - the request's own
// caller (a guest for a plain sign-in; the record itself for a request made with its token,
// which is how the authenticator checks it on every request). `info` supplies the rest of
// `@request` (its `auth` is replaced by `caller`) and must outlive the call; `now` is the
// rule's `@now` (the caller's core::Clock).
boost::asio::awaitable<bool> auth_rule_allows(db::Database& database, query::PlanCache& plans,
                                              const collections::Catalog& catalog,
                                              const schema::Collection& collection,
                                              const boost::json::object& record,
                                              const records::Caller& caller,
                                              const query::RequestInfo& info,
                                              std::chrono::system_clock::time_point now);

// `@request.auth` for `caller`: nullopt for a guest, else its record (borrowed: `caller`'s
// record must outlive every read of the result).
std::optional<query::AuthInfo> auth_info_of(const records::Caller& caller);

}  // namespace basalt::auth
