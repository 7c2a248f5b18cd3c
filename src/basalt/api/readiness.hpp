// GET /api/ready (docs/observability.md, "Health"): readiness for load balancers and
// Kubernetes probes. GET /api/health stays the cheap liveness answer PocketBase gives
// (health.hpp); this one does real work, so poll it no more often than a probe does.
//
// 200 {"message":"API is ready.","code":200,"data":{}} when all of these hold, otherwise 503
// in the API's error format, its message naming the first that failed:
//   1. startup has finished (the database opened and migrated, every service built) and the
//      server is not shutting down: ServingState, set by the composition root;
//   2. no backup restore is staged (the server is about to stop and swap the data);
//   3. the database answers `SELECT 1` on a read connection, within the statement budget
//      (for PostgreSQL: the server is reachable).
#pragma once

#include <atomic>

#include "basalt/api/services.hpp"
#include "basalt/http/handler.hpp"

namespace basalt::api {

// Written by the composition root's thread, read by workers.
struct ServingState {
  std::atomic<bool> serving{false};
};

http::Handler readiness_endpoint(const Services& services, const ServingState& state);

}  // namespace basalt::api
