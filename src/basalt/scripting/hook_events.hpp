// The argument a record write's hooks get, `e` (docs/hooks.md, "Events"):
// {collection, id, record, auth[, original]}, pushed straight from the write. `record`, `auth`
// and `original` are lazy fields (lazy_fields.hpp): built on the hook's first read of them. A
// before-hook's `e.record` is read back only when the hook replaced or changed it (compared in
// place), so a hook that leaves it alone costs no conversion; an after-hook reads nothing back.
// Internal to the scripting module.
#pragma once

#include "basalt/records/hook_port.hpp"
#include "basalt/scripting/lazy_fields.hpp"
#include "basalt/scripting/script_state.hpp"

namespace basalt::scripting {

class WriteEvent final : public CallArgument, public LazyFields {
 public:
  // `before`: the record is what the write goes on with (read back after the call).
  WriteEvent(const records::WriteHookContext& context, bool before)
      : context_(context), before_(before) {}

  void push(lua_State* L) const override;
  void read_back(lua_State* L, int index) override;
  std::span<const std::string_view> lazy_keys() const noexcept override;
  bool push_field(lua_State* L, std::string_view key) override;

  // The hook left something other than an object (or null) in `e.record`.
  bool malformed() const noexcept { return malformed_; }

 private:
  const records::WriteHookContext& context_;
  bool before_;
  bool malformed_ = false;
};

// Pushes the `auth` value hooks and routes see: the caller's record without its secrets
// (password, tokenKey), with collectionName and collectionId; null for a guest.
void push_auth(lua_State* L, const records::Caller& caller);

}  // namespace basalt::scripting
