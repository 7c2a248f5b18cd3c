// The collections and tables every Basalt database starts with (docs/storage.md, "Tables"), defined
// as PocketBase's install migration defines them (migrations/1640988000_init.go): same ids, fields,
// field ids, indexes, rules and options, so that exports and clients see the same schema.
// created/updated are left empty for the installer to stamp.
#pragma once

#include <string_view>
#include <vector>

#include "basalt/schema/collection.hpp"
#include "basalt/schema/field_type.hpp"

namespace basalt::schema {

inline constexpr std::string_view kSuperusersCollection = "_superusers";
inline constexpr std::string_view kUsersCollection = "users";
inline constexpr std::string_view kUsersCollectionId = "_pb_users_auth_";
inline constexpr std::string_view kExternalAuthsCollection = "_externalAuths";
inline constexpr std::string_view kMfasCollection = "_mfas";
inline constexpr std::string_view kOtpsCollection = "_otps";
inline constexpr std::string_view kAuthOriginsCollection = "_authOrigins";
inline constexpr std::string_view kParamsTable = "_params";
// Basalt's TOTP enrollments (docs/auth-flows.md, "TOTP"): a table, not a collection, so the
// records API never reaches it.
inline constexpr std::string_view kTotpTable = "_totp";

// In install order: _mfas, _otps, _externalAuths, _authOrigins, _superusers, users.
// Every one but users is a system collection. Auth collections carry fresh token secrets.
std::vector<Collection> system_collections();

// A table that is not a collection, described without SQL.
struct TableSpec {
  std::string name;
  std::vector<ColumnSpec> columns;
};

// _params: id TEXT PRIMARY KEY (random default), value JSON (nullable), created and updated
// TEXT defaulting to the current time.
TableSpec params_table();

// _totp: one row per enrolled auth record, id "<collectionId>/<recordId>"; collectionRef and
// recordRef (removed with the record, records/cascade.cpp); secret (sealed with the server key,
// auth/server_key.hpp); recoveryCodes (JSON array of digests); lastStep (the newest time step
// whose code was accepted); confirmed; created and updated.
TableSpec totp_table();

}  // namespace basalt::schema
