#include "basalt/scripting/registrations.hpp"

#include <array>
#include <utility>

namespace basalt::scripting {
namespace {

using records::HookEvent;

constexpr std::array<std::pair<std::string_view, HookEvent>, 8> kEvents{{
    {"beforeCreate", HookEvent::kBeforeCreate},
    {"afterCreate", HookEvent::kAfterCreate},
    {"beforeUpdate", HookEvent::kBeforeUpdate},
    {"afterUpdate", HookEvent::kAfterUpdate},
    {"beforeDelete", HookEvent::kBeforeDelete},
    {"afterDelete", HookEvent::kAfterDelete},
    {"afterList", HookEvent::kAfterList},
    {"afterView", HookEvent::kAfterView},
}};

}  // namespace

std::string_view hook_event_name(HookEvent event) noexcept {
  for (const auto& [name, value] : kEvents) {
    if (value == event) return name;
  }
  return "?";
}

bool parse_hook_event(std::string_view name, HookEvent& event) noexcept {
  for (const auto& [spelling, value] : kEvents) {
    if (spelling == name) {
      event = value;
      return true;
    }
  }
  return false;
}

}  // namespace basalt::scripting
