// Custom events (docs/events.md, "Custom events"): events a server-side script publishes with
// basalt.events.publish(type, data), written to the outbox in a write transaction of their own
// and delivered like record events.
//
// In the outbox a custom event is a row whose `action` is "custom:<type>", with no collection
// and the published data (a JSON value) in `record`. A destination receives it only when its
// `actions` name it explicitly: "custom:<type>", or "custom:*" for every custom type. An empty
// `actions` (every record action) takes no custom event, so existing destinations never see a
// payload shape they were not written for; a destination's `collections` and `filter` apply to
// record events only.
// Thread safety: pure functions.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "basalt/records/outbox_port.hpp"

namespace basalt::events {

inline constexpr std::string_view kCustomActionPrefix = "custom:";
inline constexpr std::size_t kMaxCustomTypeBytes = 100;
inline constexpr std::size_t kMaxCustomDataBytes = 256 * 1024;

// 1-100 bytes of letters, digits, '.', '_' and '-' ("order.paid").
inline bool valid_custom_type(std::string_view type) noexcept {
  if (type.empty() || type.size() > kMaxCustomTypeBytes) return false;
  return std::all_of(type.begin(), type.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

inline bool is_custom_action(std::string_view action) noexcept {
  return action.starts_with(kCustomActionPrefix);
}

// The type of a custom action ("custom:order.paid" -> "order.paid").
inline std::string_view custom_type(std::string_view action) noexcept {
  return action.substr(kCustomActionPrefix.size());
}

// Whether a destination's `actions` entry is a valid custom selector ("custom:<type>" or
// "custom:*").
inline bool valid_custom_selector(std::string_view entry) noexcept {
  if (!is_custom_action(entry)) return false;
  const std::string_view type = custom_type(entry);
  return type == "*" || valid_custom_type(type);
}

// Whether a destination with `actions` takes the custom event `action` (explicitly only).
inline bool wants_custom(const std::vector<std::string>& actions, std::string_view action) {
  return std::any_of(actions.begin(), actions.end(), [action](const std::string& entry) {
    return entry == action || entry == "custom:*";
  });
}

// The outbox row of a custom event; `data_json` is the data serialized (at most
// kMaxCustomDataBytes, checked by the caller).
records::OutboxRow custom_event_row(std::string_view type, std::string data_json);

}  // namespace basalt::events
