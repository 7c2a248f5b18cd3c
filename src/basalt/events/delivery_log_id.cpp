#include "basalt/events/delivery_log_id.hpp"

#include <cstdint>

#include "basalt/schema/ids.hpp"

namespace basalt::events {

std::string delivery_log_id(std::chrono::system_clock::time_point now) {
  constexpr std::string_view kDigits = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::int64_t millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  if (millis < 0) millis = 0;
  std::string id(9, '0');
  for (int i = 8; i >= 0 && millis > 0; --i, millis /= 36) id[i] = kDigits[millis % 36];
  return id + schema::random_string(11, kDigits);
}

}  // namespace basalt::events
