// A Redis Streams destination (docs/brokers.md, "Redis Streams"): each event is appended with
// XADD <key> MAXLEN ~ <maxLen> * id <event id> type … record <json>, and counts as delivered
// when Redis answers with the new entry's id.
#pragma once

#include "basalt/brokers/redis_config.hpp"
#include "basalt/events/destination.hpp"

#include <memory>
#include <string>
#include <vector>

namespace basalt::brokers {

std::unique_ptr<events::Destination> make_redis_destination(RedisConfig config);

// The XADD arguments for `event` (also what the tests and docs describe), without the command
// name, key and trimming: field, value, field, value, ...
std::vector<std::string> redis_stream_fields(const events::OutboxEvent& event);

}  // namespace basalt::brokers
