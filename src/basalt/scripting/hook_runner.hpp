// HookRunner: the record service's HookPort (records/hook_port.hpp) backed by the scripts'
// hooks (docs/hooks.md, "Hooks"). Each hook of an event runs in registration order on the
// request's worker; a before-hook's changes to `e.record` are what the write goes on with.
// It is also the auth layer's SignInHooks (auth/sign_in_hooks.hpp): beforeSignIn and afterAuth.
// Thread safety: as HookPort (every member from any worker).
#pragma once

#include "basalt/auth/sign_in_hooks.hpp"
#include "basalt/records/hook_port.hpp"
#include "basalt/scripting/script_engine.hpp"

namespace basalt::scripting {

class HookRunner final : public records::HookPort, public auth::SignInHooks {
 public:
  explicit HookRunner(ScriptEngine& engine) : engine_(engine) {}

  bool wants(records::HookEvent event, std::string_view collection) const noexcept override;
  boost::asio::awaitable<void> before_write(records::HookEvent event,
                                            records::WriteHookContext context) override;
  boost::asio::awaitable<void> after_write(records::HookEvent event,
                                           records::WriteHookContext context) override;
  boost::asio::awaitable<void> after_read(records::HookEvent event, const records::Caller& caller,
                                          const schema::Collection& collection,
                                          std::vector<records::Record>& records) override;

  bool wants_sign_in(std::string_view collection) const noexcept override;
  bool wants_auth(std::string_view collection) const noexcept override;
  boost::asio::awaitable<void> before_sign_in(const auth::SignInAttempt& attempt) override;
  boost::asio::awaitable<void> after_auth(const auth::SignInAttempt& attempt,
                                          const boost::json::object& answer,
                                          boost::json::object& meta) override;

 private:
  ScriptEngine& engine_;
};

// The `auth` value hooks and routes see: the caller's record without its secrets
// (password, tokenKey), with collectionName; null for a guest.
boost::json::value auth_value(const records::Caller& caller);

}  // namespace basalt::scripting
