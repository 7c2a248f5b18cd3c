#include "basalt/scripting/script_library.hpp"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <string>

#include "basalt/auth/jwt.hpp"
#include "basalt/schema/datetime.hpp"
#include "basalt/scripting/lua_json.hpp"

extern "C" {
#include <lauxlib.h>
}

// The helper libraries of `basalt` (docs/hooks.md, "API reference"): log, json, time, crypto
// and mail. Plain functions of their arguments (and the host's clock and mailer): none yields.
namespace basalt::scripting {
namespace json = boost::json;
namespace {

constexpr std::size_t kMaxLogBytes = 4096;
constexpr std::size_t kMaxRandomBytes = 1024;

int log_info(lua_State* L) {
  spdlog::info("hooks: {}: {}", where(L), log_line(L));
  return 0;
}
int log_warn(lua_State* L) {
  spdlog::warn("hooks: {}: {}", where(L), log_line(L));
  return 0;
}
int log_error(lua_State* L) {
  spdlog::error("hooks: {}: {}", where(L), log_line(L));
  return 0;
}

int json_encode(lua_State* L) {
  luaL_checkany(L, 1);
  const json::value value = to_json(L, 1);
  const std::string text = json::serialize(value);
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

int json_decode(lua_State* L) {
  const std::string_view text = check_text(L, 1);
  boost::system::error_code error;
  json::value value = json::parse(json::string_view(text.data(), text.size()), error);
  if (error) return luaL_error(L, "basalt.json.decode: %s", error.message().c_str());
  push_json(L, value);
  return 1;
}

// basalt.json.array(t): marks `t` (or a new table) as a JSON array.
int json_array(lua_State* L) {
  if (lua_isnoneornil(L, 1)) lua_newtable(L);
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  push_array_marker(L);
  lua_setmetatable(L, 1);
  return 1;
}

const core::Clock& clock_of(lua_State* L) {
  const ScriptHost* host = context_of(L).host;
  return host && host->clock ? *host->clock : core::system_clock();
}

// basalt.time.now(): Unix time in seconds, with milliseconds.
int time_now(lua_State* L) {
  const auto since = clock_of(L).now().time_since_epoch();
  lua_pushnumber(L, std::chrono::duration_cast<std::chrono::milliseconds>(since).count() / 1000.0);
  return 1;
}

// basalt.time.iso(): the time as records store it ("2024-01-02 03:04:05.678Z").
int time_iso(lua_State* L) {
  const std::string text = schema::format_datetime(clock_of(L).now());
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

void push_hex(lua_State* L, const unsigned char* bytes, std::size_t size) {
  std::string hex(size * 2, '\0');
  sodium_bin2hex(hex.data(), hex.size() + 1, bytes, size);
  lua_pushlstring(L, hex.data(), hex.size());
}

int crypto_hmac_sha256(lua_State* L) {
  const std::string_view key = check_text(L, 1);
  const std::string_view message = check_text(L, 2);
  if (key.empty()) return luaL_error(L, "basalt.crypto.hmac_sha256: empty key");
  const auto mac = auth::JwtKey(key).mac(message);
  push_hex(L, mac.data(), mac.size());
  return 1;
}

int crypto_random_hex(lua_State* L) {
  const lua_Integer bytes = luaL_checkinteger(L, 1);
  if (bytes < 1 || bytes > static_cast<lua_Integer>(kMaxRandomBytes)) {
    return luaL_error(L, "basalt.crypto.random_hex: from 1 to %d bytes", int{kMaxRandomBytes});
  }
  std::string buffer(static_cast<std::size_t>(bytes), '\0');
  randombytes_buf(buffer.data(), buffer.size());
  push_hex(L, reinterpret_cast<const unsigned char*>(buffer.data()), buffer.size());
  return 1;
}

// basalt.crypto.jwt_sign(claims, key): an HS256 token.
int crypto_jwt_sign(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const std::string key(check_text(L, 2));
  if (key.empty()) return luaL_error(L, "basalt.crypto.jwt_sign: empty key");
  const json::value claims = to_json(L, 1);
  if (!claims.is_object()) return luaL_error(L, "basalt.crypto.jwt_sign: claims must be an object");
  const std::string token = auth::encode_jwt(claims.get_object(), key);
  lua_pushlstring(L, token.data(), token.size());
  return 1;
}

// basalt.crypto.jwt_verify(token, key): the claims, or nil and the reason.
int crypto_jwt_verify(lua_State* L) {
  const std::string_view token = check_text(L, 1);
  const std::string_view key = check_text(L, 2);
  const auth::UnverifiedJwt jwt = auth::UnverifiedJwt::parse(token);
  auth::JwtStatus status = jwt.status();
  if (status == auth::JwtStatus::kOk) {
    status = key.empty() ? auth::JwtStatus::kSignature : jwt.verify(key, clock_of(L).now());
  }
  if (status != auth::JwtStatus::kOk) {
    lua_pushnil(L);
    const std::string_view reason = auth::to_string(status);
    lua_pushlstring(L, reason.data(), reason.size());
    return 2;
  }
  push_json(L, jwt.unverified_claims());
  return 1;
}

std::string field_text(lua_State* L, int table, const char* name, bool required) {
  lua_getfield(L, table, name);
  std::string out;
  if (lua_isstring(L, -1)) {
    std::size_t size = 0;
    const char* text = lua_tolstring(L, -1, &size);
    out.assign(text, size);
  } else if (!lua_isnil(L, -1) || required) {
    luaL_error(L, "basalt.mail.send: '%s' must be a string", name);
  }
  lua_pop(L, 1);
  return out;
}

// basalt.mail.send{to = "a@b" or {...}, subject = ..., html = ..., text = ...}: queued.
int mail_send(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  const ScriptHost* host = context_of(L).host;
  if (!host || !host->send_mail) return luaL_error(L, "basalt.mail.send: mail is not available");
  mail::MailMessage message;
  lua_getfield(L, 1, "to");
  std::vector<std::string> to;
  if (lua_isstring(L, -1)) {
    to.emplace_back(lua_tostring(L, -1));
  } else if (lua_istable(L, -1)) {
    const std::size_t count = lua_objlen(L, -1);
    for (std::size_t i = 1; i <= count && i <= 50; ++i) {
      lua_rawgeti(L, -1, static_cast<int>(i));
      if (!lua_isstring(L, -1)) luaL_error(L, "basalt.mail.send: 'to' must hold strings");
      to.emplace_back(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  if (to.empty()) return luaL_error(L, "basalt.mail.send: 'to' names no address");
  for (std::string& address : to) {
    if (!mail::is_mail_address(address)) {
      return luaL_error(L, "basalt.mail.send: '%s' is not a mail address", address.c_str());
    }
    message.to.push_back(mail::Address{"", std::move(address)});
  }
  message.subject = field_text(L, 1, "subject", true);
  message.html = field_text(L, 1, "html", false);
  message.text = field_text(L, 1, "text", false);
  if (message.subject.size() > 998) return luaL_error(L, "basalt.mail.send: subject too long");
  if (message.html.empty() && message.text.empty()) {
    return luaL_error(L, "basalt.mail.send: give 'html' or 'text'");
  }
  lua_pushboolean(L, host->send_mail(std::move(message)));
  return 1;
}

}  // namespace

std::string log_line(lua_State* L) {
  std::string line;
  const int count = lua_gettop(L);
  lua_getglobal(L, "tostring");
  for (int i = 1; i <= count; ++i) {
    lua_pushvalue(L, -1);
    lua_pushvalue(L, i);
    lua_call(L, 1, 1);
    std::size_t size = 0;
    const char* text = lua_tolstring(L, -1, &size);
    if (i > 1) line += ' ';
    if (text) line.append(text, size);
    lua_pop(L, 1);
    if (line.size() > kMaxLogBytes) {
      line.resize(kMaxLogBytes);
      line += "...";
      break;
    }
  }
  lua_pop(L, 1);
  return line;
}

void install_helpers(lua_State* L) {
  lua_newtable(L);
  set_function(L, "info", log_info);
  set_function(L, "warn", log_warn);
  set_function(L, "error", log_error);
  lua_setfield(L, -2, "log");
  lua_newtable(L);
  set_function(L, "encode", json_encode);
  set_function(L, "decode", json_decode);
  set_function(L, "array", json_array);
  push_json_null(L);
  lua_setfield(L, -2, "null");
  lua_setfield(L, -2, "json");
  lua_newtable(L);
  set_function(L, "now", time_now);
  set_function(L, "iso", time_iso);
  lua_setfield(L, -2, "time");
  lua_newtable(L);
  set_function(L, "hmac_sha256", crypto_hmac_sha256);
  set_function(L, "random_hex", crypto_random_hex);
  set_function(L, "jwt_sign", crypto_jwt_sign);
  set_function(L, "jwt_verify", crypto_jwt_verify);
  lua_setfield(L, -2, "crypto");
  lua_newtable(L);
  set_function(L, "send", mail_send);
  lua_setfield(L, -2, "mail");
}

}  // namespace basalt::scripting
