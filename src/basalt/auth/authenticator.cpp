#include "basalt/auth/authenticator.hpp"

#include <cctype>
#include <memory>
#include <optional>

#include "basalt/auth/auth_rule.hpp"
#include "basalt/records/record_codec.hpp"
#include "basalt/schema/field.hpp"

namespace basalt::auth {
namespace {

namespace json = boost::json;

std::string_view strip_bearer(std::string_view value) {
  constexpr std::string_view kBearer = "bearer ";
  if (value.size() >= kBearer.size()) {
    bool match = true;
    for (std::size_t i = 0; i < kBearer.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(value[i])) == kBearer[i];
    }
    if (match) value.remove_prefix(kBearer.size());
  }
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

std::string_view token_key_of(const json::object& record) {
  const json::value* value = record.if_contains(schema::kFieldTokenKey);
  return value && value->is_string() ? std::string_view(value->as_string()) : std::string_view();
}

}  // namespace

Authenticator::Authenticator(db::Database& database, collections::CollectionService& collections,
                             query::PlanCache& plans, records::EventBus& events,
                             AuthRecordCache& cache)
    : database_(database),
      collections_(collections),
      plans_(plans),
      events_(events),
      cache_(cache) {
  subscription_ =
      events_.subscribe([this](const records::RecordEvent& event) { on_record_event(event); });
}

Authenticator::~Authenticator() {
  events_.unsubscribe(subscription_);
}

void Authenticator::on_record_event(const records::RecordEvent& event) {
  // A created record has no entry yet (its id was free); only auth collections have entries.
  if (event.action == records::RecordAction::kCreate) return;
  const schema::Collection* collection = collections_.catalog()->find(event.collection_id);
  if (collection && !collection->is_auth()) return;
  const json::value* id = event.record.if_contains(schema::kFieldId);
  if (!id || !id->is_string()) return;
  cache_.invalidate(event.collection_id, id->get_string());
}

boost::asio::awaitable<AuthContext> Authenticator::authenticate(
    std::string_view authorization, std::chrono::system_clock::time_point now) {
  AuthContext guest;
  const std::string_view token = strip_bearer(authorization);
  if (token.empty()) co_return guest;
  std::optional<UnverifiedToken> claimed = read_unverified_token(token);
  if (!claimed || claimed->type != TokenType::kAuth) co_return guest;
  const std::shared_ptr<const collections::Catalog> catalog = collections_.catalog();
  const schema::Collection* found = catalog->find(claimed->collection_id);
  if (!found || found->id != claimed->collection_id || !found->is_auth()) co_return guest;
  // Aliasing pointer: keeps the whole snapshot alive while the context holds the collection.
  std::shared_ptr<const schema::Collection> collection(catalog, found);

  AuthRecordCache::Shard* shard = &cache_.for_this_thread();
  shard->sync(catalog);
  CachedAuthRecord entry;
  if (const CachedAuthRecord* cached = shard->find(collection->id, claimed->record_id)) {
    entry = *cached;
  }
  std::optional<TokenClaims> claims;
  if (entry.record) {
    claims = verify_token(*claimed, *entry.auth_key, now);
  } else {
    const AuthRecordCache::Ticket ticket = shard->ticket();
    const db::Dialect& dialect = database_.dialect();
    db::ResultSet rows = co_await database_.query(
        records::select_sql(*collection, dialect) + " WHERE " +
            dialect.quote_identifier(schema::kFieldId) + " = " + dialect.placeholder(1),
        claimed->record_id);
    if (rows.empty()) co_return guest;
    auto record = std::make_shared<const json::object>(records::decode_row(*collection, rows[0]));
    auto key = signing_key(token_key_of(*record), collection->auth.auth_token.secret);
    claims = verify_token(*claimed, *key, now);
    // Only a record a valid token names is checked and kept: forged tokens for guessed ids
    // cost one read and never push real entries out.
    if (!claims) co_return guest;
    // The verdict is kept across requests, so the rule sees no request-specific values.
    const query::RequestInfo no_request;
    // A request made with the record's token has the record as its caller (PocketBase's
    // auth-refresh: @request.auth is the record, and a superuser passes).
    const records::Caller self{collection.get(), record.get()};
    const bool allowed = co_await auth_rule_allows(database_, plans_, *catalog, *collection,
                                                   *record, self, no_request, now);
    entry = CachedAuthRecord{std::move(record), std::move(key), allowed};
    // A point read runs inline, but the shard is looked up again rather than assumed.
    shard = &cache_.for_this_thread();
    if (ticket.catalog_version == catalog->version()) {
      shard->insert(ticket, collection->id, claimed->record_id, entry);
    }
  }
  if (!claims) co_return guest;
  if (!entry.auth_rule_allows) {
    guest.refused_by_auth_rule = true;
    co_return guest;
  }
  co_return AuthContext{std::move(collection), std::move(entry.record), std::move(*claims)};
}

bool Authenticator::still_holds(const AuthContext& verified,
                                std::chrono::system_clock::time_point now) {
  if (verified.is_guest() || !verified.record) return false;
  // The check verify_token() makes of exp (jwt.cpp), on the claims' whole seconds: a
  // fractional exp reads as its floor, so this can only expire sooner and fall back.
  const std::int64_t seconds =
      std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  if (seconds >= verified.claims.expires) return false;
  AuthRecordCache::Shard& shard = cache_.for_this_thread();
  shard.sync(collections_.catalog());
  const CachedAuthRecord* cached = shard.find(verified.collection->id, verified.claims.record_id);
  return cached != nullptr && cached->record == verified.record && cached->auth_rule_allows;
}

}  // namespace basalt::auth
