// DestinationSpec: one configured destination (a webhook endpoint today; broker connectors at
// merge) as stored in `_destinations`, and the factory that turns one into a Destination.
//
// The generic part (collections, actions, filter, enabled, maxAttempts) is the dispatcher's;
// `config` is the type's own (a webhook: url, secret, headers), checked by
// validate_destination_config() and read by make_destination(). A broker connector plugs in
// by adding its type to both functions.
// Thread safety: values; the functions are pure.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/events/destination.hpp"

namespace basalt::events {

inline constexpr std::string_view kWebhookType = "webhook";
inline constexpr int kDefaultMaxAttempts = 8;
inline constexpr int kMaxMaxAttempts = 50;

struct DestinationSpec {
  std::string id;
  std::string type;
  boost::json::object config;
  std::vector<std::string> collections;  // collection ids; empty: every collection
  std::vector<std::string> actions;      // "create", "update", "delete"; empty: all three
  std::string filter;                    // our filter language on the record; empty: none
  bool enabled = true;
  int max_attempts = kDefaultMaxAttempts;
  std::string created;
  std::string updated;

  bool wants_action(std::string_view action) const;
  bool wants_collection(std::string_view collection_id) const;
};

// What every destination made by the factory shares.
struct DestinationOptions {
  // Webhooks may reach loopback, private and link-local addresses (tests; never production).
  bool allow_private = false;
  // Broker destinations may (brokers-allow-private): their own setting, since brokers usually
  // live on private networks where webhook targets must not.
  bool brokers_allow_private = false;
};

// Field errors of `config` for `type` as PocketBase's `data` entries, keyed by the body's
// field name ({"url": {"code": ..., "message": ...}}); empty when valid. Fills what may be
// generated (a webhook's secret). An unknown type is an error under "type".
boost::json::object validate_destination_config(std::string_view type, boost::json::object& config);

// A Destination for a valid spec (validate first); throws std::invalid_argument otherwise.
std::unique_ptr<Destination> make_destination(const DestinationSpec& spec,
                                              const DestinationOptions& options);

}  // namespace basalt::events
