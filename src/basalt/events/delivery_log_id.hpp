#pragma once
// Ids of the delivery log's rows (`_deliveries.id`, docs/events.md "Delivery log").
//
// 20 characters of [0-9a-z], time-ordered: 9 base-36 digits of the clock's milliseconds (until
// the year 5188), then 11 random ones (36^11 ≈ 1.3e17 per millisecond, so that two instances'
// rows of one millisecond do not meet in the primary key). The table's primary key
// index then grows at its end, as the rows do: with random ids each of a save job's rows
// dirtied a page of its own somewhere in the index, which the WAL and the checkpointer wrote
// again at every job (≈ 20 µs of the writer per delivered event at 6k events/s).
#include <chrono>
#include <string>

namespace basalt::events {

std::string delivery_log_id(std::chrono::system_clock::time_point now);

}  // namespace basalt::events
