// Services: what the REST handlers call. Built by the composition root (app), which owns every
// member and keeps it alive until the server has stopped. Handlers hold no state of their own.
#pragma once

#include "basalt/auth/authenticator.hpp"
#include "basalt/auth/password_hasher.hpp"
#include "basalt/auth/password_sign_in.hpp"
#include "basalt/collections/collection_service.hpp"
#include "basalt/core/blocking_pool.hpp"
#include "basalt/db/database.hpp"
#include "basalt/query/plan_cache.hpp"
#include "basalt/records/record_service.hpp"
#include "basalt/settings/settings_service.hpp"

namespace basalt::api {

struct Services {
  db::Database& database;
  collections::CollectionService& collections;
  records::RecordService& records;
  query::PlanCache& plans;       // resolved rules and filters, per schema version
  core::BlockingPool& blocking;  // password hashing and other CPU-heavy work
  const auth::PasswordHasher& hasher;
  const auth::PasswordSignIn& sign_in;
  settings::SettingsService& settings;  // runtime application settings (/api/settings)
  auth::Authenticator& authenticator;   // Authorization header -> AuthContext, cached records
};

}  // namespace basalt::api
