// What the scripts of one generation registered while they loaded (docs/hooks.md): hooks,
// custom routes and cron jobs. Each names its Lua function by `function`, its index in the
// state's function table; every state built from the same files registers the same functions
// in the same order, so one Registrations serves all workers' states of a generation.
#pragma once

#include <string>
#include <vector>

#include "basalt/http/method.hpp"
#include "basalt/records/hook_port.hpp"

namespace basalt::scripting {

// Who may call a custom route.
enum class RouteAuth {
  kGuest,      // anyone
  kUser,       // any auth record (superusers included)
  kSuperuser,  // superusers only
};

struct HookRegistration {
  records::HookEvent event;
  std::string collection;  // "" for every collection
  int function = 0;

  bool applies(records::HookEvent to, std::string_view of) const noexcept {
    return event == to && (collection.empty() || collection == of);
  }
};

struct RouteRegistration {
  http::Method method = http::Method::kGet;
  std::string path;  // a router template: "/api/hello/{name}"
  RouteAuth auth = RouteAuth::kGuest;
  int function = 0;
  std::string origin;  // "file.lua:12", for messages
};

struct CronRegistration {
  std::string id;
  std::string expression;  // five-field cron expression, checked by the scheduler
  int function = 0;
  std::string origin;
};

// The sign-in's hooks (auth/sign_in_hooks.hpp), registered with the same basalt.on by auth
// collection ("" for every one).
enum class AuthHookEvent { kBeforeSignIn, kAfterAuth };

struct AuthHookRegistration {
  AuthHookEvent event;
  std::string collection;
  int function = 0;
};

// basalt.middleware(fn, {paths = ..., methods = ...}): runs before matching routes.
struct MiddlewareRegistration {
  // Each an exact path ("/api/health") or a prefix ending in '*' ("/api/*"); any may match.
  std::vector<std::string> paths;
  std::vector<http::Method> methods;  // empty: every method
  int function = 0;
  std::string origin;

  bool matches(http::Method method, std::string_view path) const noexcept;
};

struct Registrations {
  std::vector<HookRegistration> hooks;
  std::vector<AuthHookRegistration> auth_hooks;
  std::vector<RouteRegistration> routes;
  std::vector<CronRegistration> crons;
  std::vector<MiddlewareRegistration> middleware;
};

// The event's name as scripts spell it ("beforeCreate"); parse_hook_event answers false for
// an unknown name.
std::string_view hook_event_name(records::HookEvent event) noexcept;
bool parse_hook_event(std::string_view name, records::HookEvent& event) noexcept;
bool parse_auth_hook_event(std::string_view name, AuthHookEvent& event) noexcept;
std::string_view auth_hook_event_name(AuthHookEvent event) noexcept;

}  // namespace basalt::scripting
