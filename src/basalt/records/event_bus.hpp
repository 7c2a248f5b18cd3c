// EventBus: the in-process channel on which the record service announces committed changes
// (RecordCreated / RecordUpdated / RecordDeleted), and on which the cluster bus replays those
// of other instances (docs/scaling.md). The auth record cache, realtime and GraphQL live
// queries subscribe.
//
// Invariants:
//   1. An event is published only after the transaction that made the change committed, once
//      per changed record (cascaded deletes and cleared references included), in commit order
//      for the changes of one service call.
//   2. Subscribers run synchronously on the publishing thread and must not block or throw
//      (an exception from one is logged and does not stop the others).
// Thread safety: subscribe/unsubscribe/publish may be called from any thread; the subscriber
// list is copy-on-write, so publishing takes no lock while subscribers run.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace basalt::records {

enum class RecordAction : std::uint8_t { kCreate, kUpdate, kDelete };

// "create", "update", "delete" (the realtime protocol's action names).
std::string_view record_action_name(RecordAction action) noexcept;

struct RecordEvent {
  RecordAction action = RecordAction::kCreate;
  std::string collection_id;
  std::string collection_name;
  boost::json::object record;  // every field, stored form (hidden ones included)
  // Committed by another instance and brought by the cluster bus (docs/scaling.md): local
  // subscribers act on it like on their own, but it is not sent to the cluster again.
  bool from_other_instance = false;
};

class EventBus {
 public:
  using Subscriber = std::function<void(const RecordEvent&)>;

  // Returns an id for unsubscribe().
  std::uint64_t subscribe(Subscriber subscriber);
  void unsubscribe(std::uint64_t id);
  void publish(const RecordEvent& event) const;

 private:
  struct Entry {
    std::uint64_t id;
    Subscriber subscriber;
  };
  using List = std::vector<Entry>;

  mutable std::mutex mutex_;  // guards writers of subscribers_ and next_id_
  std::shared_ptr<const List> subscribers_ = std::make_shared<List>();
  std::uint64_t next_id_ = 1;
};

}  // namespace basalt::records
