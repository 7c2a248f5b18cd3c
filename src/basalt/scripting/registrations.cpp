#include "basalt/scripting/registrations.hpp"

#include <algorithm>
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

bool parse_auth_hook_event(std::string_view name, AuthHookEvent& event) noexcept {
  if (name == "beforeSignIn") {
    event = AuthHookEvent::kBeforeSignIn;
    return true;
  }
  if (name == "afterAuth") {
    event = AuthHookEvent::kAfterAuth;
    return true;
  }
  return false;
}

std::string_view auth_hook_event_name(AuthHookEvent event) noexcept {
  return event == AuthHookEvent::kBeforeSignIn ? "beforeSignIn" : "afterAuth";
}

bool MiddlewareRegistration::matches(http::Method method, std::string_view path) const noexcept {
  if (!methods.empty() && std::find(methods.begin(), methods.end(), method) == methods.end()) {
    return false;
  }
  for (const std::string& pattern : paths) {
    if (!pattern.empty() && pattern.back() == '*') {
      if (path.starts_with(std::string_view(pattern).substr(0, pattern.size() - 1))) return true;
    } else if (path == pattern) {
      return true;
    }
  }
  return false;
}

}  // namespace basalt::scripting
