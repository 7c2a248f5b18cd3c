// The typed tokens of the mail flows (docs/auth-flows.md, "Tokens"): verification,
// passwordReset and emailChange, each signed with the record's tokenKey + the collection's
// secret for that type and lasting the collection's duration for it (auth/tokens.hpp has the
// claims: type, id, collectionId, email, and newEmail for emailChange).
//
// A token is accepted for a flow only when all hold: it is a well-formed HS256 JWT of exactly
// the flow's type; its collectionId names an auth collection and its id a record of it; the
// signature matches that record's current tokenKey + that collection's secret for the type
// (so a changed password or email, or a rotated secret, retires it); it has not expired.
// Whether the token's collection is the route's is the flow's own check (its error differs).
//
// Thread safety: free functions; the record service calls are coroutine-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "basalt/auth/tokens.hpp"
#include "basalt/collections/catalog.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/schema/collection.hpp"

namespace basalt::accounts {

// The collection's secret and duration for a flow token type (kVerification, kPasswordReset,
// kEmailChange); throws std::invalid_argument for another type.
const schema::TokenConfig& flow_token_config(const schema::Collection& collection,
                                             auth::TokenType type);

// A token of `type` for `record` (every stored field) of `collection`, issued at `now`; the
// email claim is the record's email, `new_email` goes into emailChange tokens.
std::string issue_flow_token(const schema::Collection& collection,
                             const boost::json::object& record, auth::TokenType type,
                             std::chrono::system_clock::time_point now,
                             std::string_view new_email = {});

// The signed claims when `token` is of `expected` type and verifies against `record` of
// `collection` at `now`; nullopt otherwise. No lookups: the caller found collection and record
// from the token's (untrusted) collectionId and id.
std::optional<auth::TokenClaims> verify_flow_token(const auth::UnverifiedToken& token,
                                                   const schema::Collection& collection,
                                                   const boost::json::object& record,
                                                   auth::TokenType expected,
                                                   std::chrono::system_clock::time_point now);

struct FlowTokenRecord {
  const schema::Collection* collection = nullptr;  // the token's collection, in the catalog
  boost::json::object record;                      // every stored field
  auth::TokenClaims claims;
};

// Reads `token`, finds its collection in `catalog` and its record through the record service,
// and verifies it (verify_flow_token). nullopt for any failure, with nothing to tell them apart.
boost::asio::awaitable<std::optional<FlowTokenRecord>> find_flow_token_record(
    const collections::Catalog& catalog, records::RecordService& records, std::string token,
    auth::TokenType expected, std::chrono::system_clock::time_point now);

}  // namespace basalt::accounts
