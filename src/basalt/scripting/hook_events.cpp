#include "basalt/scripting/hook_events.hpp"

#include "basalt/scripting/lua_json.hpp"

namespace basalt::scripting {
namespace json = boost::json;
namespace {

void push_string(lua_State* L, std::string_view text) {
  lua_pushlstring(L, text.data(), text.size());
}

}  // namespace

void push_auth(lua_State* L, const records::Caller& caller) {
  if (caller.is_guest() || !caller.record) {
    push_json_null(L);
    return;
  }
  lua_createtable(L, 0, static_cast<int>(caller.record->size()) + 2);
  for (const auto& entry : *caller.record) {
    if (entry.key() == "password" || entry.key() == "tokenKey") continue;
    push_string(L, entry.key());
    push_json(L, entry.value());
    lua_rawset(L, -3);
  }
  push_string(L, caller.collection->name);
  lua_setfield(L, -2, "collectionName");
  push_string(L, caller.collection->id);
  lua_setfield(L, -2, "collectionId");
}

void WriteEvent::push(lua_State* L) const {
  lua_createtable(L, 0, 5);
  push_string(L, context_.collection.name);
  lua_setfield(L, -2, "collection");
  push_string(L, context_.id);
  lua_setfield(L, -2, "id");
  // The lazy fields' source outlives the call: the hook runner awaits it.
  make_lazy(L, -1, const_cast<WriteEvent&>(*this));
}

std::span<const std::string_view> WriteEvent::lazy_keys() const noexcept {
  static constexpr std::string_view kKeys[] = {"record", "auth", "original"};
  return kKeys;
}

bool WriteEvent::push_field(lua_State* L, std::string_view key) {
  if (key == "record") {
    push_json(L, context_.record);
  } else if (key == "auth") {
    push_auth(L, context_.caller);
  } else if (key == "original" && context_.original) {
    push_json(L, *context_.original);
  } else {
    return false;
  }
  return true;
}

void WriteEvent::read_back(lua_State* L, int index) {
  if (!before_) return;
  // Raw: a record the hook never read is not built now.
  lua_pushliteral(L, "record");
  lua_rawget(L, index);
  // Never read, removed, or set to null: the record stays as it was.
  if (lua_isnil(L, -1) || is_json_null(L, -1)) return;
  if (!lua_istable(L, -1)) {
    malformed_ = true;
    return;
  }
  if (json_equals(L, -1, context_.record)) return;
  json::value changed = to_json(L, -1);
  if (!changed.is_object()) {
    malformed_ = true;
    return;
  }
  context_.record = std::move(changed.get_object());
}

}  // namespace basalt::scripting
