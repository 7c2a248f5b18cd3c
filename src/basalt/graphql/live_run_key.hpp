// The key under which live queries share one run (docs/graphql.md, "Shared runs").
//
// Two subscribers may share a run, and its result, only when the run would be the same for
// both: the same document, operation name, variables and transport restriction (over GET), and
// the same request policy (the settings' limits when it subscribed), the same caller as far as
// the rules can see — guest, or the same auth record (collection id
// and record id) — and the same request values a rule may read: `@request.context`,
// `@request.method` and `@request.body` always; `@request.headers` and `@request.query` only
// while some rule of the catalog names them (a socket's upgrade headers differ per socket, so
// including them always would share nothing). The parts are computed once per subscriber; the
// catalog's part is decided again at every run, so a rule that starts reading headers splits
// the groups at the next run.
#pragma once

#include <cstdint>
#include <string>

#include "basalt/collections/catalog.hpp"
#include "basalt/query/request_info.hpp"
#include "basalt/records/caller.hpp"

namespace basalt::graphql {

struct LiveQueryRequest;
struct RequestPolicy;

// Which request values the rules of a catalog may read beyond context, method and body.
struct RuleRequestReads {
  bool headers = false;
  bool query = false;
};

// Scans every rule of every collection (case-insensitively, so a spelling the filter parser
// refuses still counts: over-approximating only shares less).
RuleRequestReads rule_request_reads(const collections::Catalog& catalog);

// The parts of a subscriber's key that do not change while it runs.
struct LiveRunKeyParts {
  std::string request;  // document, operation name, variables, over_get, policy
  std::string base;     // context, method, body
  std::string headers;  // the headers' JSON
  std::string query;    // the query parameters' JSON
};

LiveRunKeyParts live_run_key_parts(const LiveQueryRequest& request, const RequestPolicy& policy,
                                   const query::RequestInfo& info);

// `request_id` stands for `parts.request` (interned by the scheduler, so a long document is not
// hashed again at every run).
std::string live_run_key(std::uint64_t request_id, const LiveRunKeyParts& parts,
                         const records::Caller& caller, RuleRequestReads reads);

}  // namespace basalt::graphql
