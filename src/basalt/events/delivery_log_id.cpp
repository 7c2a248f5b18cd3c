#include "basalt/events/delivery_log_id.hpp"

#include <algorithm>
#include <cstdint>

#include "basalt/schema/ids.hpp"
#include "basalt/schema/time_ordered_id.hpp"

namespace basalt::events {

std::string delivery_log_id(std::chrono::system_clock::time_point now) {
  const std::int64_t millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::string id;
  id.reserve(20);
  schema::append_base36(id, static_cast<std::uint64_t>(std::max<std::int64_t>(millis, 0)), 9);
  id += schema::random_string(11, "0123456789abcdefghijklmnopqrstuvwxyz");
  return id;
}

}  // namespace basalt::events
