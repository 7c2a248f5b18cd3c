#include "basalt/realtime/delivery_group.hpp"

#include <algorithm>
#include <iterator>

namespace basalt::realtime {

void take_unwritten(std::span<const std::unique_ptr<Subscription>> subscriptions,
                    std::vector<PassMessage>& out) {
  const std::size_t first_taken = out.size();
  std::size_t contributing = 0;
  for (const auto& subscription : subscriptions) {
    const auto& log = subscription->group->log;
    if (log.empty() || log.back().event <= subscription->delivered) continue;
    ++contributing;
    // The log is in event order and short (about two passes of messages): from the back.
    auto first = log.end();
    while (first != log.begin() && std::prev(first)->event > subscription->delivered) --first;
    for (auto message = first; message != log.end(); ++message) {
      out.push_back({message->event, &subscription->prefix, &message->data});
    }
    subscription->delivered = log.back().event;
  }
  if (contributing > 1) {
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(first_taken), out.end(),
                     [](const PassMessage& a, const PassMessage& b) { return a.event < b.event; });
  }
}

void drop_written(DeliveryGroup& group) {
  auto& log = group.log;
  const std::uint64_t through = group.written_through;
  log.erase(log.begin(), std::find_if(log.begin(), log.end(), [through](const GroupMessage& m) {
              return m.event > through;
            }));
}

}  // namespace basalt::realtime
