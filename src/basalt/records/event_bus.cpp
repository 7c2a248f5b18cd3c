#include "basalt/records/event_bus.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace basalt::records {

std::string_view record_action_name(RecordAction action) noexcept {
  switch (action) {
    case RecordAction::kCreate:
      return "create";
    case RecordAction::kUpdate:
      return "update";
    case RecordAction::kDelete:
      return "delete";
  }
  return "";
}

std::uint64_t EventBus::subscribe(Subscriber subscriber) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<List>(*subscribers_);
  const std::uint64_t id = next_id_++;
  next->push_back({id, std::move(subscriber)});
  subscribers_ = std::move(next);
  return id;
}

void EventBus::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto next = std::make_shared<List>(*subscribers_);
  std::erase_if(*next, [id](const Entry& entry) { return entry.id == id; });
  subscribers_ = std::move(next);
}

void EventBus::publish(const RecordEvent& event) const {
  std::shared_ptr<const List> current;
  {
    std::lock_guard lock(mutex_);
    current = subscribers_;
  }
  for (const auto& entry : *current) {
    try {
      entry.subscriber(event);
    } catch (const std::exception& error) {
      spdlog::error("record event subscriber {} failed: {}", entry.id, error.what());
    }
  }
}

}  // namespace basalt::records
