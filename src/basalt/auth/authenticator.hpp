// Authenticator: turns a request's `Authorization` header into its AuthContext (docs/security.md,
// "Callers"), for every transport.
//
// Per request: the token's claims are read, the auth record is taken from the calling thread's
// AuthRecordCache shard (read by primary key and its authRule evaluated on a miss), and the
// signature (record tokenKey + collection secret) and expiry are checked against it every time.
//
// The cache follows the record service's EventBus: an update or delete of a record of an auth
// collection is invalidated on every thread before that thread's next request (the event is
// published after the commit and before the write's response), so a new tokenKey (password or
// email change), a deleted record or a change the authRule now refuses takes effect on the very
// next request. A collection change (rule, secret, fields) drops its entries through the catalog
// version (auth_record_cache.hpp).
//
// Thread safety: authenticate() may run on any number of threads at once; each uses its own
// shard. Members are borrowed from the composition root; the constructor subscribes to `events`
// and the destructor unsubscribes, so the Authenticator must be destroyed before the bus.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <string_view>

#include "basalt/auth/auth_context.hpp"
#include "basalt/auth/auth_record_cache.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/event_bus.hpp"

namespace basalt::auth {

class Authenticator {
 public:
  Authenticator(db::Database& database, collections::CollectionService& collections,
                query::PlanCache& plans, records::EventBus& events, AuthRecordCache& cache);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // An `Authorization` header value: a JWT, optionally after "Bearer " (any case). A missing,
  // malformed, expired or forged token, a non-auth token type, an unknown record or a non-auth
  // collection all give a guest, never an error (PocketBase ignores bad tokens; the routes that
  // need auth answer 401/403 themselves). A valid token whose record the collection's authRule
  // refuses gives a guest with refused_by_auth_rule set.
  boost::asio::awaitable<AuthContext> authenticate(std::string_view authorization,
                                                   std::chrono::system_clock::time_point now);

  // Whether `verified` (a non-guest result of authenticate() on this thread) still holds at
  // `now` without verifying its token again: the token has not expired, and this thread's cache
  // still holds the very entry it was verified against (same record object, authRule allowing
  // it). Any event that could change the verdict — an update or delete of the record (a new
  // tokenKey), a change of its collection (secret, authRule, fields), an invalidate_all() —
  // drops that entry before the next use, and a re-read makes a new record object, so a false
  // answer is all those give. False means "unknown": call authenticate() again. Long-lived
  // subscribers re-check through this before every run (docs/graphql.md, "The subscriber's
  // auth"): a hash lookup instead of decoding and HMAC-verifying the same token per subscriber.
  bool still_holds(const AuthContext& verified, std::chrono::system_clock::time_point now);

 private:
  void on_record_event(const records::RecordEvent& event);

  db::Database& database_;
  collections::CollectionService& collections_;
  query::PlanCache& plans_;
  records::EventBus& events_;
  AuthRecordCache& cache_;
  std::uint64_t subscription_ = 0;
};

}  // namespace basalt::auth
