#include "basalt/scripting/hook_runner.hpp"

#include <spdlog/spdlog.h>

#include "basalt/core/api_error.hpp"
#include "basalt/scripting/hook_events.hpp"

namespace basalt::scripting {
namespace json = boost::json;
namespace {

std::string describe(records::HookEvent event, std::string_view collection) {
  return std::string(hook_event_name(event)) + " hook of " + std::string(collection);
}

std::string describe(AuthHookEvent event, std::string_view collection) {
  return std::string(auth_hook_event_name(event)) + " hook of " + std::string(collection);
}

// What sign-in hooks see (never the password, the hash or the token key).
json::object sign_in_event(const auth::SignInAttempt& attempt) {
  json::object record = attempt.record;
  record.erase("password");
  record.erase("tokenKey");
  return json::object{{"collection", attempt.collection.name}, {"method", attempt.method},
                      {"identity", attempt.identity},          {"record", std::move(record)},
                      {"clientIp", attempt.client_ip},         {"mfaId", attempt.mfa_id},
                      {"auth", auth_value(attempt.caller)}};
}

}  // namespace

json::value auth_value(const records::Caller& caller) {
  if (caller.is_guest() || !caller.record) return nullptr;
  json::object auth = *caller.record;
  auth.erase("password");
  auth.erase("tokenKey");
  auth["collectionName"] = caller.collection->name;
  auth["collectionId"] = caller.collection->id;
  return auth;
}

bool HookRunner::wants(records::HookEvent event, std::string_view collection) const noexcept {
  return engine_.wants(event, collection);
}

boost::asio::awaitable<void> HookRunner::before_write(records::HookEvent event,
                                                      records::WriteHookContext context) {
  const std::shared_ptr<const Generation> generation = engine_.current();
  if (!generation) co_return;
  for (const HookRegistration& hook : generation->registrations.hooks) {
    if (!hook.applies(event, context.collection.name)) continue;
    // The record as the hook leaves it is validated afterwards like the client's body.
    WriteEvent argument(context, /*before=*/true);
    const CallSite site{hook_event_name(event), context.collection.name};
    co_await engine_.call(*generation, hook.function, argument, context.caller, site);
    if (argument.malformed()) {
      spdlog::error("hooks: {} left e.record neither an object nor null", site.text());
      throw core::ApiError(500);
    }
  }
}

boost::asio::awaitable<void> HookRunner::after_write(records::HookEvent event,
                                                     records::WriteHookContext context) {
  const std::shared_ptr<const Generation> generation = engine_.current();
  if (!generation) co_return;
  for (const HookRegistration& hook : generation->registrations.hooks) {
    if (!hook.applies(event, context.collection.name)) continue;
    // The write is committed: an error is logged (by call(), or here) and never undoes it.
    try {
      WriteEvent argument(context, /*before=*/false);
      const CallSite site{hook_event_name(event), context.collection.name};
      co_await engine_.call(*generation, hook.function, argument, context.caller, site);
    } catch (const core::ApiError& error) {
      spdlog::warn("hooks: {} answered {} ({}) after the commit; the write stands",
                   describe(event, context.collection.name), error.status(), error.what());
    } catch (const std::exception& error) {
      spdlog::error("hooks: {} failed after the commit: {}",
                    describe(event, context.collection.name), error.what());
    }
  }
}

bool HookRunner::wants_sign_in(std::string_view collection) const noexcept {
  return engine_.wants_auth_hook(AuthHookEvent::kBeforeSignIn, collection);
}

bool HookRunner::wants_auth(std::string_view collection) const noexcept {
  return engine_.wants_auth_hook(AuthHookEvent::kAfterAuth, collection);
}

boost::asio::awaitable<void> HookRunner::before_sign_in(const auth::SignInAttempt& attempt) {
  const std::shared_ptr<const Generation> generation = engine_.current();
  if (!generation) co_return;
  const AuthHookEvent event = AuthHookEvent::kBeforeSignIn;
  for (const AuthHookRegistration* hook :
       generation->auth_hooks_for(event, attempt.collection.name)) {
    // An error refuses the sign-in with it (a script's basalt.error, or a logged 500).
    json::value argument = sign_in_event(attempt);
    const std::string what = describe(event, attempt.collection.name);
    co_await engine_.call(generation, hook->function, std::move(argument), attempt.caller, what);
  }
}

boost::asio::awaitable<void> HookRunner::after_auth(const auth::SignInAttempt& attempt,
                                                    const json::object& answer,
                                                    json::object& meta) {
  const std::shared_ptr<const Generation> generation = engine_.current();
  if (!generation) co_return;
  const AuthHookEvent event = AuthHookEvent::kAfterAuth;
  for (const AuthHookRegistration* hook :
       generation->auth_hooks_for(event, attempt.collection.name)) {
    const std::string what = describe(event, attempt.collection.name);
    try {
      json::object argument = sign_in_event(attempt);
      argument["record"] = answer.at("record");
      argument["token"] = answer.at("token");
      argument["meta"] = meta;
      json::value call_argument = std::move(argument);
      CallOutput output = co_await engine_.call(generation, hook->function,
                                                std::move(call_argument), attempt.caller, what);
      // Only new keys are taken: what the method put in meta (OAuth2's) stays as it was.
      const json::value* changed =
          output.argument.is_object() ? output.argument.get_object().if_contains("meta") : nullptr;
      if (changed && changed->is_object()) {
        for (const auto& entry : changed->get_object()) {
          if (!meta.contains(entry.key())) meta[entry.key()] = entry.value();
        }
      }
    } catch (const core::ApiError& error) {
      spdlog::warn("hooks: {} answered {} ({}) after the sign-in; the sign-in stands", what,
                   error.status(), error.what());
    } catch (const std::exception& error) {
      spdlog::error("hooks: {} failed after the sign-in: {}", what, error.what());
    }
  }
}

boost::asio::awaitable<void> HookRunner::after_read(records::HookEvent event,
                                                    const records::Caller& caller,
                                                    const schema::Collection& collection,
                                                    std::vector<records::Record>& records) {
  const std::shared_ptr<const Generation> generation = engine_.current();
  if (!generation || records.empty()) co_return;
  const bool list = event == records::HookEvent::kAfterList;
  for (const HookRegistration* hook : generation->hooks_for(event, collection.name)) {
    json::array items;
    for (const records::Record& record : records) {
      json::object item = record.values;
      for (const auto& entry : record.hook_fields) item[entry.key()] = entry.value();
      for (const std::string& hidden : record.hook_hidden) item.erase(hidden);
      items.push_back(std::move(item));
    }
    json::object argument{{"collection", collection.name}, {"auth", auth_value(caller)}};
    if (list) {
      argument["records"] = std::move(items);
    } else {
      argument["record"] = std::move(items.front());
    }
    const std::string what = describe(event, collection.name);
    json::value call_argument = std::move(argument);
    CallOutput output =
        co_await engine_.call(generation, hook->function, std::move(call_argument), caller, what);
    if (!output.argument.is_object()) continue;
    json::object& changed = output.argument.get_object();
    json::array shaped;
    if (list) {
      if (json::value* value = changed.if_contains("records"); value && value->is_array()) {
        shaped = std::move(value->get_array());
      }
    } else if (json::value* value = changed.if_contains("record"); value && value->is_object()) {
      shaped.push_back(std::move(*value));
    }
    // Each answered record becomes what the hook left: changed and added keys over the stored
    // values, removed fields left out. Items are matched by position; the count stays.
    for (std::size_t i = 0; i < records.size() && i < shaped.size(); ++i) {
      if (!shaped[i].is_object()) continue;
      records::Record& record = records[i];
      json::object& item = shaped[i].get_object();
      record.hook_fields.clear();
      record.hook_hidden.clear();
      for (const auto& entry : record.values) {
        if (!item.contains(entry.key())) record.hook_hidden.emplace_back(entry.key());
      }
      for (auto& entry : item) {
        const json::value* stored = record.values.if_contains(entry.key());
        if (!stored || *stored != entry.value()) record.hook_fields[entry.key()] = entry.value();
      }
    }
  }
}

}  // namespace basalt::scripting
