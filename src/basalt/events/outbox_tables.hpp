// The tables of the transactional outbox and its destinations (docs/events.md), created by
// migrations on both engines. Internal to the events module and the names the collections
// module reserves.
//
//   _outbox             one row per committed record change some destination could want:
//                       seq (increasing with commit order), eventId, action, collectionId,
//                       collectionName, record (JSON text, no password/tokenKey), committed,
//                       traceparent and tracestate (the W3C context of the write, '' when
//                       untraced; the deliveries' spans continue it)
//   _destinations       webhooks (and, later, broker connectors): id, type, config (JSON text,
//                       the type's own settings: url, secret, headers), collections (JSON array
//                       of collection ids; [] = all), actions (JSON array), filter, enabled,
//                       maxAttempts, created, updated
//   _destinationStates  the dispatcher's progress per destination: cursor (the last seq it is
//                       done with), attempts and nextAttempt (ms since the epoch) of the event
//                       at the cursor + 1, the lease (owner, leaseExpires ms)
//   _deliveries         the delivery log: one row per attempt
//   _redeliveries       events queued again by hand (POST .../redeliver)
//   _destinationsVersion one row (id 1): `version`, a random number every change of
//                       `_destinations` replaces in the change's own transaction; a write compares
//                       it with the destinations snapshot it filters its rows by (docs/events.md,
//                       "Which changes are written")
#pragma once

#include <string_view>
#include <vector>

#include "basalt/db/dialect.hpp"
#include "basalt/db/migrations.hpp"

namespace basalt::events {

inline constexpr std::string_view kOutboxTable = "_outbox";
inline constexpr std::string_view kDestinationsTable = "_destinations";
inline constexpr std::string_view kDestinationStatesTable = "_destinationStates";
inline constexpr std::string_view kDeliveriesTable = "_deliveries";
inline constexpr std::string_view kRedeliveriesTable = "_redeliveries";
inline constexpr std::string_view kDestinationsVersionTable = "_destinationsVersion";

// Appended after the system migrations; `dialect` must outlive them.
std::vector<db::Migration> outbox_migrations(const db::Dialect& dialect);

}  // namespace basalt::events
