// DeliveryGroup: the subscribers that see events the same way, and the log of checked
// messages they have not all had yet; plus the two steps of a flush pass that read and trim
// that log (registry.hpp, "Delivery").
//
// Thread ownership: a group, its log and its members' subscriptions belong to one worker's
// Registry and are touched only on that worker's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "basalt/realtime/client.hpp"

namespace basalt::realtime {

// One checked message of a group: the event's number and its data (`{"record":...}` and the
// blank line that ends the message), shared by every subscriber of the group.
struct GroupMessage {
  std::uint64_t event = 0;
  std::string data;
};

// The subscribers that see an event the same way: same auth record, same topic kind and
// options (Topic::check_key), same index key (collection, and record for a view topic).
// Interned per registry when topics are posted; listed in the index under its key; alive while
// it has members (or, retired, while a delivery or a pass may still point to it).
//
// Invariant: `log` holds, in event order, every message some current member may still lack
// (a member lacks the messages after its Subscription::delivered).
struct DeliveryGroup {
  std::string key;
  TopicSet topics;  // holds the representative topic (*topics)[topic_index]
  std::size_t topic_index = 0;
  std::vector<Subscription*> members;  // Subscription::member_slot is the place in it
  std::vector<GroupMessage> log;
  std::uint64_t event = 0;  // the last event that reached it (visited once each)
  // Set when a pass takes the group: that pass writes every member everything up to this
  // event (the log's newest then), so drop_written() may drop those messages when it ends.
  std::uint64_t written_through = 0;
  bool dirty = false;  // listed in Registry::dirty_groups_ (the log has unwritten messages)

  const Topic& topic() const { return (*topics)[topic_index]; }
};

// One message of a client's write: the event's number, the subscription's prefix, the
// group's shared data.
struct PassMessage {
  std::uint64_t event;
  const std::string* prefix;
  const std::string* data;
};

// Appends to `out` every message the subscriptions' groups hold that the subscription has not
// had, in event (commit) order, and marks them had. Within one call, messages of one event to
// several subscriptions keep the order of the subscriptions; across writes they may not (a
// visit while deliver() is still checking that event's groups writes the groups checked so
// far, the others in the next visit - never before an earlier event). The pointers stay valid
// until a group's log changes.
void take_unwritten(std::span<const std::unique_ptr<Subscription>> subscriptions,
                    std::vector<PassMessage>& out);

// At the end of a pass that visited every member the group had when the pass took it: drops
// the messages up to `written_through`, which each of those members has had (a member that
// joined since starts after them).
void drop_written(DeliveryGroup& group);

}  // namespace basalt::realtime
