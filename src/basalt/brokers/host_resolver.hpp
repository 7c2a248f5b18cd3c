// Resolving a broker's host name before the client library connects (docs/brokers.md,
// "Addresses"): the C clients (librabbitmq, libnats, hiredis) resolve by themselves with the
// system resolver, outside their connect timeout, so a resolver that hangs would hold a
// delivery (and its dispatcher thread) for as long as it likes. Instead the name is resolved
// here with a bounded wait, every address is checked by the outbound guard
// (core/outbound_guard.hpp, the rules webhooks follow), and the client is handed the numeric
// address that passed.
//
// Invariants:
//   1. resolve_broker_host() returns within `timeout` (plus scheduling): the lookup runs on a
//      helper thread of its own; past the timeout the caller goes on with a retry and the
//      helper finishes on its own (it holds only shared state).
//   2. At most kMaxPendingLookups helpers exist at once; past that a lookup fails at once
//      (a retry), so a dead resolver cannot pile up threads.
//   3. An address the guard refuses is never returned; when every address is refused the
//      outcome is a reject (as for a webhook), naming the address class, never a secret.
// Thread safety: any thread.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "basalt/brokers/connector_support.hpp"

namespace basalt::brokers {

inline constexpr int kMaxPendingLookups = 16;

// The system resolver: the textual addresses `host` resolves to (TCP), or an error text.
using HostLookup =
    std::function<std::variant<std::vector<std::string>, std::string>(const std::string& host)>;
std::variant<std::vector<std::string>, std::string> system_host_lookup(const std::string& host);

inline constexpr std::size_t kMaxAddresses = 8;

// Why a lookup gave no address to connect to: every address was refused by the guard
// (`refused` names the class of one), or the lookup failed (`error`, "resolve <host>: …").
struct HostRefusal {
  std::string refused;
  std::string error;
};

// The numeric addresses of `host` that the outbound guard allows (`allow_private`: any), in the
// resolver's order, at most kMaxAddresses, looked up within `timeout`; an IP literal is checked
// without a lookup; `lookup` replaces the system resolver (tests). The webhooks' plain HTTP client
// (events/plain_http_transport.hpp) uses it as it is; the connectors through resolve_broker_host.
std::variant<std::vector<std::string>, HostRefusal> resolve_allowed_host(
    const std::string& host, std::chrono::milliseconds timeout, bool allow_private,
    const HostLookup& lookup = system_host_lookup);

// resolve_allowed_host as a connector's failure: every address refused is a reject, a failed
// lookup a retry. The connectors try the addresses in turn.
std::variant<std::vector<std::string>, ConnectorFailure> resolve_broker_host(
    const std::string& host, std::chrono::milliseconds timeout, bool allow_private,
    const HostLookup& lookup = system_host_lookup);

// `address` as a URL host: IPv6 in brackets.
std::string url_host(const std::string& address);

}  // namespace basalt::brokers
